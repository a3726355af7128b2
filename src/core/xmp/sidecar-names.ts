/**
 * Sidecar file names. `ext`: NAME.EXT.xmp (darktable, digiKam; the default); `base`: NAME.xmp
 * (Lightroom). Immich reads both, and so does mumic.
 */
export type SidecarNaming = 'ext' | 'base';
export const SIDECAR_NAMINGS: readonly SidecarNaming[] = ['ext', 'base'];

/** The sidecar path of a photo path (or name): only the last component is changed. */
export function sidecarName(photo: string, naming: SidecarNaming = 'ext'): string {
  if (naming === 'ext') return `${photo}.xmp`;
  const slash = Math.max(photo.lastIndexOf('/'), photo.lastIndexOf('\\'));
  const dot = photo.lastIndexOf('.');
  return `${dot > slash + 1 ? photo.slice(0, dot) : photo}.xmp`;
}

/** Both sidecar names of a photo, NAME.EXT.xmp first (read in this order, deduplicated). */
export const sidecarNames = (photo: string): string[] => [
  ...new Set(SIDECAR_NAMINGS.map((n) => sidecarName(photo, n))),
];

/** Whether a file is a sidecar (so it is never taken for a photo). */
export const isSidecarName = (name: string): boolean => /\.xmp$/i.test(name);
