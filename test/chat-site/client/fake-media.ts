// A camera and microphone made by the page itself, identical in Chromium and Firefox headless.
// Picture (320x240): top area left half solid red (255,0,0), right half solid blue (0,0,255),
// a 2px white line sweeping down the red half; bottom strip (y >= 180) black with a green
// (0,255,0) 40x40 square whose x moves 4 px per frame and wraps. Sound: a 440 Hz sine tone.
export const WIDTH = 320;
export const HEIGHT = 240;
export const STRIP_Y = 180;
export const SQUARE = 40;

export interface FakeMedia {
  stream: MediaStream;
  audioContext: AudioContext;
  /** Current x of the green square's left edge. */
  squareX(): number;
  stop(): void;
}

export function createFakeMedia(): FakeMedia {
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2d canvas');
  let frame = 0;
  let x = 0;
  const draw = (): void => {
    frame++;
    x = (frame * 4) % (WIDTH - SQUARE);
    ctx.fillStyle = 'rgb(255,0,0)';
    ctx.fillRect(0, 0, WIDTH / 2, STRIP_Y);
    ctx.fillStyle = 'rgb(0,0,255)';
    ctx.fillRect(WIDTH / 2, 0, WIDTH / 2, STRIP_Y);
    ctx.fillStyle = 'rgb(255,255,255)';
    ctx.fillRect(0, (frame * 2) % STRIP_Y, WIDTH / 2, 2);
    ctx.fillStyle = 'rgb(0,0,0)';
    ctx.fillRect(0, STRIP_Y, WIDTH, HEIGHT - STRIP_Y);
    ctx.fillStyle = 'rgb(0,255,0)';
    ctx.fillRect(x, STRIP_Y + 10, SQUARE, SQUARE);
  };
  draw();
  // A timer rather than requestAnimationFrame: rAF stops in background tabs and some headless modes.
  const timer = setInterval(draw, 33);
  const video = canvas.captureStream(30);

  const audioContext = new AudioContext();
  const osc = audioContext.createOscillator();
  osc.type = 'sine';
  osc.frequency.value = 440;
  const gain = audioContext.createGain();
  gain.gain.value = 0.5;
  const dest = audioContext.createMediaStreamDestination();
  osc.connect(gain).connect(dest);
  osc.start();

  const stream = new MediaStream([...video.getVideoTracks(), ...dest.stream.getAudioTracks()]);
  return {
    stream,
    audioContext,
    squareX: () => x,
    stop: () => {
      clearInterval(timer);
      osc.stop();
      for (const t of stream.getTracks()) t.stop();
      void audioContext.close().catch(() => undefined);
    },
  };
}
