import { render } from 'preact';
import { OptionsApp } from './OptionsApp';
import '../popup/popup.css';

render(<OptionsApp />, document.getElementById('app')!);
