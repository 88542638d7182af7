export { ServiceError, type ServiceErrorCode } from '../shared/index.js';
