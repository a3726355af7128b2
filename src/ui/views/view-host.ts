// What a part of the page asks of the View: a render on a coming frame, or one now.
export interface ViewHost {
  /** Asks for a render on a coming frame (many state changes, one render). */
  update: () => void;
  /** Renders at once (an input whose echo must not lag). */
  renderNow(): void;
  /** The page's root element. */
  readonly root: HTMLElement;
}
