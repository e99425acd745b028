/** Small helpers the supervisor panels share: an instant for the screen, a file download. */
export function time(iso: string | null): string {
  return iso === null ? "-" : new Date(iso).toLocaleString();
}

export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
