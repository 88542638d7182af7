export { DuowatchError, stripControl } from './errors.js';
