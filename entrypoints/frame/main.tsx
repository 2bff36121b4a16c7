import { render } from 'preact';

// Extension-origin frame shown inside chat pages (compose and message views come later).
function Frame() {
  return <div data-veil-frame="ready">Veil</div>;
}

render(<Frame />, document.getElementById('app')!);
