import { render } from 'preact';
import { CallOverlay } from './call-overlay';
import { parseFrameHash } from './params';
import { ComposeFrame, MessageFrame, QueryFrame } from './views';
import './frame.css';

// One page, three views: message (#m=), compose (#c=), query prompt (#q=). Mode from the hash.
function Frame() {
  if (location.hash === '#call') return <CallOverlay />;
  const p = parseFrameHash(location.hash);
  switch (p.mode) {
    case 'message':
      return <MessageFrame token={p.token} style={p.style} />;
    case 'compose':
      return <ComposeFrame token={p.token} />;
    case 'query':
      return <QueryFrame token={p.token} />;
    default:
      return <div data-veil-frame="invalid">Veil</div>;
  }
}

document.documentElement.setAttribute('data-veil-frame', location.hash === '#call' ? 'call' : parseFrameHash(location.hash).mode);
render(<Frame />, document.getElementById('app')!);
