/** What this member may do now, set by the pipeline as its replica's view and storage change. */
export interface MemberState {
  /** Leading in broadcast: prep and propose here. */
  leading: boolean;
  /** Synchronised with a leader (or leading): may serve clients. */
  serving: boolean;
  /** Storage failed: no write is accepted any more. */
  storageFailure: Error | undefined;
}
