// Bundle entry: the random-video-chat page.
import '../video-app.ts';
