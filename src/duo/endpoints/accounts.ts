import { accountListSchema, type DuoChildAccount } from '../wire/index.js';
import { call, withSignal, type CallOptions, type Requester } from './call.js';

export function accountEndpoints(rq: Requester) {
  return {
    /** MSP child accounts (docs/duo-wire.md §5). */
    list: (opts?: CallOptions): Promise<DuoChildAccount[]> =>
      call(rq, accountListSchema, { method: 'POST', path: '/accounts/v1/account/list', ...withSignal(opts) }),
  };
}

export type AccountEndpoints = ReturnType<typeof accountEndpoints>;
