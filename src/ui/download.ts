/** Saves text as a file through a temporary link; the object URL is revoked afterwards. */
export function downloadText(name: string, text: string, type: string): void {
  downloadBlob(name, new Blob([text], { type: `${type};charset=utf-8` }));
}

/** Saves a blob as a file through a temporary link; the object URL is revoked afterwards. */
export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the click; a later revoke leaves it time to read the blob.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
