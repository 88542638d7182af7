export {
  signRequest,
  canonicalString,
  hashXDuoHeaders,
  hmacHex,
  basicAuthorization,
  sha512Hex,
  normalizeHost,
  EMPTY_SHA512,
  SignError,
  type SignInput,
  type SignedRequest,
  type SigVersion,
  type SigDigest,
  type ParamsMode,
} from './sign-request.js';
export {
  canonicalizeParams,
  canonicalizePairs,
  paramPairs,
  percentEncode,
  type QueryParams,
  type ParamValue,
  type ParamScalar,
} from './canon-params.js';
export { pythonJson, compareCodePoints, type PythonJsonOptions } from './python-json.js';
export { formatDuoDate, parseDuoDate } from './duo-date.js';
