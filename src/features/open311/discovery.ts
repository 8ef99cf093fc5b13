/**
 * Open311 discovery and the service list: the endpoint's discovery document, the services
 * (active categories) and each service's definition (its attributes).
 */
import type { CaseKind } from '../../domain/sla.js';
import { NotFound } from '../../lib/errors.js';
import type { CategoryAttribute } from './parse.js';
import type { Open311Repository } from './repository.js';

/** The GeoReport v2 specification this endpoint implements. */
export const GEOREPORT_SPEC = 'http://wiki.open311.org/GeoReport_v2';
/** When the endpoint's behaviour last changed (discovery `changeset`). */
export const OPEN311_CHANGESET = '2026-03-01T00:00:00+07:00';

const KIND_GROUP_VI: Record<CaseKind, string> = {
  phan_anh: 'Phản ánh, kiến nghị',
  kien_nghi: 'Phản ánh, kiến nghị',
  to_cao: 'Tố cáo',
  khieu_nai: 'Khiếu nại',
};

export interface DiscoveryDeps {
  repo: Pick<Open311Repository, 'activeCategories' | 'activeCategory'>;
  baseUrl: string;
  /** the discovery document's contact */
  contact: string;
}

export function createDiscoveryService(deps: DiscoveryDeps) {
  const { repo } = deps;

  function discovery() {
    return {
      changeset: OPEN311_CHANGESET,
      contact: deps.contact,
      key_service: `Khóa api_key do quản trị hệ thống cấp cho từng ứng dụng (${deps.baseUrl}/api/v1/admin/api-clients).`,
      endpoints: [
        {
          specification: GEOREPORT_SPEC,
          url: `${deps.baseUrl}/open311/v2`,
          changeset: OPEN311_CHANGESET,
          type: 'production',
          formats: ['text/xml', 'application/json'],
        },
      ],
    };
  }

  async function listServices() {
    const rows = await repo.activeCategories();
    return rows.map((c) => ({
      service_code: c.code,
      service_name: c.name,
      description: c.description ?? '',
      metadata: (c.attributes ?? []).length > 0,
      type: 'realtime' as const,
      keywords: (c.description ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean)
        .join(','),
      group: KIND_GROUP_VI.phan_anh,
    }));
  }

  async function serviceDefinition(code: string) {
    const c = await repo.activeCategory(code);
    if (!c) throw new NotFound(`service_code ${code} not found`);
    const attrs = (c.attributes ?? []) as CategoryAttribute[];
    return {
      service_code: c.code,
      attributes: attrs
        .map((a, i) => ({ a, order: a.order ?? i + 1 }))
        .sort((x, y) => x.order - y.order)
        .map(({ a, order }) => ({
          variable: true,
          code: a.code,
          datatype: a.datatype,
          required: a.required ?? false,
          datatype_description:
            a.datatype === 'datetime'
              ? 'ISO 8601, ví dụ 2026-03-02T09:00:00+07:00'
              : a.datatype === 'number'
                ? 'Số, ví dụ 12 hoặc 12.5'
                : a.datatype === 'multivaluelist'
                  ? 'Một hoặc nhiều khóa (key) trong danh sách'
                  : a.datatype === 'singlevaluelist'
                    ? 'Một khóa (key) trong danh sách'
                    : null,
          order,
          description: a.description,
          values: (a.values ?? []).map((v) => ({ key: v.key, name: v.name })),
        })),
    };
  }

  return { discovery, listServices, serviceDefinition };
}
