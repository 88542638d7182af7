import { accountsApiEndpoints } from './accounts-api.js';
import { adminExtraEndpoints } from './admin-extra.js';
import { adminLogEndpoints } from './admin-logs.js';
import { adminResourceEndpoints } from './admin-resources.js';
import { authApiEndpoints } from './auth-api.js';
import { deviceApiEndpoints } from './device-api.js';
import type { EndpointDef } from './endpoint.js';

export type { EndpointContext, EndpointDef, EndpointResult } from './endpoint.js';
export { MAX_LIMIT, VISIBILITY_DELAY_MS, RETENTION_MS } from './paging.js';

/** Every Duo endpoint the emulator serves, in registration order (specific paths before parameterized ones). */
export const ALL_ENDPOINTS: readonly EndpointDef[] = [
  ...adminResourceEndpoints,
  ...adminLogEndpoints,
  ...adminExtraEndpoints,
  ...authApiEndpoints,
  ...deviceApiEndpoints,
  ...accountsApiEndpoints,
];
