export { createLocalCa, issueServerCertificate, type LocalCa, type ServerCertificate } from './local-ca.js';
export { prepareTls, type TlsMaterial, type TlsFs } from './tls-dir.js';
