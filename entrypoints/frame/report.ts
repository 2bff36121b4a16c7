/** Tells the embedding content script this frame's height (and, for compose, a close request). */
export function reportHeight(token: string): () => void {
  let last = -1;
  const send = (): void => {
    const h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h === last) return;
    last = h;
    // Only a number and the frame's own token: nothing the page may not see.
    parent.postMessage({ veilFrameHeight: h, token }, '*');
  };
  const ro = new ResizeObserver(send);
  ro.observe(document.documentElement);
  send();
  return () => ro.disconnect();
}

export function requestClose(token: string): void {
  parent.postMessage({ veilFrameClose: token }, '*');
}
