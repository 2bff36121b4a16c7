import { render } from 'preact';
import { App } from '../popup/App';
import '../popup/popup.css';

// Settings in a full tab: the same panels as the popup, with room to breathe.
render(<App />, document.getElementById('app')!);
