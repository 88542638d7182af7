export { listenTls, type Listening, type ListenOptions } from './listen.js';
