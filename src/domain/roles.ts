/** Staff roles: the one definition every feature uses. */
export const STAFF_ROLES = ['coordinator', 'agency_staff', 'agency_lead', 'inspector', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
/** Roles that act for one agency and see only its cases. */
export const AGENCY_ROLES: readonly StaffRole[] = ['agency_staff', 'agency_lead'];

/** Who is calling a staff route. */
export interface Actor {
  userId: number;
  name: string;
  role: StaffRole;
  /** set for agency roles: the one agency they act for */
  agencyId: number | null;
  tokenId: number;
}

export const isAgencyRole = (role: string): boolean => (AGENCY_ROLES as readonly string[]).includes(role);
