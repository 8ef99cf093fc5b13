export interface RoutingRule {
  id: number;
  position: number;
  kind?: string | null;
  categoryId?: number | null;
  localityId?: number | null;
  agencyId: number;
  active?: boolean;
}

export interface RoutableCase {
  kind: string;
  categoryId?: number | null;
  localityId?: number | null;
}

export interface RouteResult {
  agencyId: number;
  ruleId: number;
}

function fieldMatches<T>(ruleValue: T | null | undefined, caseValue: T | null | undefined): boolean {
  if (ruleValue === null || ruleValue === undefined) return true;
  return caseValue !== null && caseValue !== undefined && ruleValue === caseValue;
}

export function ruleMatches(rule: RoutingRule, c: RoutableCase): boolean {
  return (
    rule.active !== false &&
    fieldMatches(rule.kind, c.kind) &&
    fieldMatches(rule.categoryId, c.categoryId) &&
    fieldMatches(rule.localityId, c.localityId)
  );
}

/** Rules in evaluation order: position ascending, then id ascending. Does not mutate the input. */
export function orderRules<R extends RoutingRule>(rules: readonly R[]): R[] {
  return [...rules].sort((a, b) => a.position - b.position || a.id - b.id);
}

/**
 * First matching active rule in evaluation order; null/undefined rule fields are wildcards.
 * Returns null when no rule matches (the case goes to the coordinators' triage queue).
 */
export function route(rules: readonly RoutingRule[], c: RoutableCase): RouteResult | null {
  for (const rule of orderRules(rules)) {
    if (ruleMatches(rule, c)) return { agencyId: rule.agencyId, ruleId: rule.id };
  }
  return null;
}
