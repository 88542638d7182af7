import { DuowatchError } from '../shared/index.js';

/** A caller asked for something the evidence capability does not have (stable `code`, CLI exit 2). */
export class EvidenceError extends DuowatchError {
  constructor(code: 'evidence_unknown_signal' | 'evidence_bad_range', message: string) {
    super(code, message, { status: 400, exitCode: 2 });
  }
}
