/**
 * The navigation: every page of the app shell, grouped, with the lowest role that may open
 * it (the same as the server's rule for the page's main call). The shell hides entries the
 * user's role cannot open; the routes enforce it too (requireRole).
 */
import type { Role } from './session.ts';

/** One navigation entry. */
export interface NavItem {
  to: string;
  label: string;
  minRole: Role;
  /** Keyboard shortcut: `g` then this key. */
  key?: string;
}

/** Navigation groups, in display order. */
export const NAV: { group: string; items: NavItem[] }[] = [
  {
    group: 'Station',
    items: [
      { to: '/inspect', label: 'Inspect', minRole: 'operator', key: 'i' },
      { to: '/station', label: 'Station camera', minRole: 'operator', key: 's' },
      { to: '/history', label: 'History', minRole: 'viewer', key: 'h' },
      { to: '/reviews', label: 'Review queue', minRole: 'operator', key: 'r' },
    ],
  },
  {
    group: 'Quality',
    items: [
      { to: '/dashboard', label: 'Metrics', minRole: 'viewer', key: 'm' },
      { to: '/calibration', label: 'Calibration', minRole: 'viewer', key: 'c' },
      { to: '/thresholds', label: 'Thresholds', minRole: 'engineer', key: 't' },
      { to: '/monitoring', label: 'Monitoring', minRole: 'viewer', key: 'o' },
    ],
  },
  {
    group: 'Models',
    items: [
      { to: '/models', label: 'Models', minRole: 'viewer', key: 'd' },
      { to: '/datasets', label: 'Datasets', minRole: 'viewer' },
      { to: '/runs', label: 'Training runs', minRole: 'viewer' },
      { to: '/jobs', label: 'Jobs', minRole: 'viewer', key: 'j' },
      { to: '/reports', label: 'Reports', minRole: 'viewer' },
      { to: '/knowledge', label: 'Knowledge base', minRole: 'engineer', key: 'k' },
    ],
  },
  {
    group: 'Admin',
    items: [
      { to: '/admin/users', label: 'Users', minRole: 'admin' },
      { to: '/admin/api-keys', label: 'API keys', minRole: 'engineer' },
    ],
  },
];
