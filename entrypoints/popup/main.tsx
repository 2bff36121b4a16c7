import { render } from 'preact';
render(<h1>Veil</h1>, document.getElementById('app')!);
