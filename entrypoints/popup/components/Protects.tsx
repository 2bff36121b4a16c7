/** Plain-language scope of Veil's protection: shown in the popup (folded) and in settings. */
export function Protects() {
  return (
    <div class="protects" data-testid="protects">
      <p>
        <strong>Protected:</strong> the content of your messages and of your calls’ audio and video. The chat site and anyone
        between you only see scrambled data.
      </p>
      <p>
        <strong>Not protected:</strong>
      </p>
      <ul>
        <li>Metadata: who you talk to, when, how often, for how long, and roughly how long your messages are.</li>
        <li>What you or the other person report, forward or copy out of Veil — the site then sees it.</li>
        <li>
          Calls: the web page itself owns your camera and microphone, so a hostile or compromised site could record them
          before Veil encrypts anything. Text is typed in Veil’s own box, which the page cannot read.
        </li>
        <li>Other browser extensions and malware on your device can see everything you see. Veil cannot stop them.</li>
      </ul>
      <p>
        A key change can mean a new device — or someone intercepting. Veil warns you and blocks sending until you decide;
        comparing safety numbers is how you find out.
      </p>
    </div>
  );
}
