import { JwtError, verifyHs512, type JwtClaims } from '../../shared/jwt-hs512.js';

/** Why an id_token (or the callback around it) was refused; stable codes for tests, audit and the API. */
export type UniversalRefusal =
  | 'universal_state'
  | 'universal_token'
  | 'universal_nonce'
  | 'universal_username'
  | 'universal_denied'
  | 'universal_refused';

export class UniversalError extends Error {
  readonly code: UniversalRefusal;
  constructor(code: UniversalRefusal, message: string) {
    super(message);
    this.name = 'UniversalError';
    this.code = code;
  }
}

export interface IdTokenExpectations {
  clientId: string;
  clientSecret: string;
  /** `https://<api host>/oauth/v1/token`: Duo's issuer for the id_token. */
  issuer: string;
  /** The nonce this sign-in sent in its request JWT. */
  nonce: string;
  /** The Duo username the sign-in is for (preferred_username must be exactly it). */
  duoUsername: string;
  nowS: number;
}

/**
 * Verifies Duo's id_token as the OIDC flow requires: HS512 with the client secret, iss, aud = client id,
 * exp and iat present and in range (60 s leeway, as Duo's clients allow), the nonce of this sign-in, the
 * expected user, and Duo's own result `allow`. Answers the claims; throws UniversalError otherwise.
 */
export function checkIdToken(token: string, x: IdTokenExpectations): JwtClaims {
  let claims: JwtClaims;
  try {
    claims = verifyHs512(token, x.clientSecret, {
      nowS: x.nowS,
      leewayS: 60,
      requireExp: true,
      expect: { iss: x.issuer, aud: x.clientId },
    });
  } catch (e) {
    throw new UniversalError(
      'universal_token',
      `Duo's id_token was refused: ${e instanceof JwtError ? e.message : 'unreadable'}`,
    );
  }
  if (typeof claims['iat'] !== 'number')
    throw new UniversalError('universal_token', "Duo's id_token has no iat");
  if (claims['nonce'] !== x.nonce)
    throw new UniversalError('universal_nonce', "Duo's id_token is for another sign-in (nonce)");
  if (claims['preferred_username'] !== x.duoUsername)
    throw new UniversalError('universal_username', "Duo's id_token names another user");
  const result = (claims['auth_result'] as { result?: unknown } | undefined)?.result;
  if (result !== 'allow') throw new UniversalError('universal_denied', 'Duo did not allow the sign-in');
  return claims;
}
