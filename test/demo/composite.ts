/**
 * The demo's one picture: what Alice saw, what Bob saw and what the server relayed, side by side
 * with captions, and below them what each relayed text is. An HTML page next to the screenshots
 * (test-artifacts/demo.html) that a browser renders into test-artifacts/demo.png.
 */
import type { LabeledText } from './relay-labels';

export interface Shot {
  /** File name next to the HTML page. */
  file: string;
  caption: string;
  detail: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Width of one screenshot in the picture (2/3 of the 1200 px browser window: text stays legible). */
const SHOT_WIDTH = 800;

export function compositeHtml(o: { title: string; shots: Shot[]; relayed: LabeledText[]; footer: string }): string {
  const figures = o.shots
    .map((s) => `<figure><figcaption><b>${esc(s.caption)}</b><span>${esc(s.detail)}</span></figcaption><img src="${esc(s.file)}" alt="${esc(s.caption)}"></figure>`)
    .join('\n');
  const rows = o.relayed
    .map((r, i) => `<tr><td>${i + 1}</td><td>${esc(r.from)}</td><td>${esc(r.label)}</td><td class="raw">${esc(r.text.length > 90 ? `${r.text.slice(0, 89)}…` : r.text)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(o.title)}</title>
<style>
  body { margin: 0; padding: 20px; width: ${o.shots.length * (SHOT_WIDTH + 24)}px; font: 15px/1.4 system-ui, sans-serif; background: #fff; color: #1d1f23; }
  h1 { font-size: 22px; margin: 0 0 14px; }
  .shots { display: flex; gap: 24px; align-items: flex-start; }
  figure { margin: 0; width: ${SHOT_WIDTH}px; }
  figcaption { display: flex; flex-direction: column; margin-bottom: 6px; }
  figcaption b { font-size: 18px; } figcaption span { color: #555; }
  img { width: ${SHOT_WIDTH}px; border: 1px solid #c9ccd1; border-radius: 6px; }
  table { border-collapse: collapse; margin-top: 18px; width: 100%; font-size: 14px; }
  td { border-top: 1px solid #e3e5e8; padding: 4px 8px; vertical-align: top; }
  td.raw { font-family: ui-monospace, monospace; font-size: 12px; color: #555; overflow-wrap: anywhere; max-width: 700px; }
  p { color: #333; margin: 14px 0 0; }
</style></head>
<body>
<h1>${esc(o.title)}</h1>
<div class="shots">
${figures}
</div>
<table><thead><tr><td>#</td><td>from</td><td>what the server relayed (decoded with Veil's parsers, nothing decrypted)</td><td>text as relayed</td></tr></thead>
<tbody>
${rows}
</tbody></table>
<p>${esc(o.footer)}</p>
</body></html>`;
}
