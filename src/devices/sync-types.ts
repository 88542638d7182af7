/** The diff between the active cache and the export, as `--json` prints it (the scripted interface). */
export interface SyncPlan {
  active: number;
  added: number;
  removed: number;
  unchanged: number;
  /** False when Duo gave only the active cache's count, not its identifiers (then the split is estimated). */
  exact: boolean;
}

export type SyncOutcome = 'synced' | 'planned' | 'shrink_refused' | 'failed';

export interface SyncProgress {
  phase: 'reading' | 'uploading' | 'verifying' | 'activating' | 'cleaning';
  done: number;
  total: number;
}
