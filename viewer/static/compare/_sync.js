/* Linked playback and views on the compare page: the helpers audio.js, video.js and object3d.js
   (in this folder) share, as MB.cmpSync. Their modes (MB.compareModes.<kind>; the hook is
   described at the top of compare.js): Columns are runs or `<run>@<step>`.
   - audio "A/B toggle": one transport for the row (a button per column, lettered A, B, C… in the
     column's colour; one waveform lane per column on one time axis, click a lane to hear that
     column from there; play/pause, position, time). One <audio> element per column; only the
     selected one is unmuted and playing. Switching pauses and mutes the old one, seeks the new one
     to the same time (clamped to its length), unmutes it and plays it if the old one was playing.
     Keys while focus is in the row: 1..9 pick a column, x swaps with the one picked before, space
     (on the transport) plays or pauses. State: ps[key].ab = the selected column.
   - video "Play in sync": every cell keeps its native player; play, pause, seek and rate on any
     of them apply to all (a clip shorter than the time is held at its last frame), plus a bar with
     play all / pause all / a scrubber / the time / a rate menu. While playing, a clip that drifts
     more than DRIFT from the first playing one is put back. GIF clips are <img>: they are left
     alone and a note says so.
   - object3d "Linked camera": rotating or zooming one cell's 3-D scene gives every other cell the
     same camera (live while dragging); "Reset view" sets the default camera on all. State:
     ps[key].cam = the linked camera (eye, center, up), so a reload or a new step keeps it.
   Loops are guarded by idempotence (a cell already in the wanted state is not touched) and by
   expectations (the event a cell fires because we changed it is recognised and not passed on).
   Test hooks: .cmp-ab[data-selected][data-playing], .cmp-ab-pick[data-col][aria-pressed],
   audio.cmp-ab-audio[data-col]; .cmp-sync-bar[data-videos][data-gifs], .cmp-sync-note;
   .cmp-cam-bar[data-linked] (the number of linked scenes). Every user string goes in as text. */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB) return;
  var h = MB.h;
  var SEEK_TOL = 0.05; // s: a seek closer than this to where a clip already is does nothing

  // every listener a mode adds goes through one of these, so cleanup removes them all
  function listeners() {
    var list = [];
    return {
      on: function (target, type, fn, opts) { target.addEventListener(type, fn, opts); list.push([target, type, fn, opts]); },
      off: function () { list.forEach(function (l) { l[0].removeEventListener(l[1], l[2], l[3]); }); list = []; },
    };
  }
  // play() rejects when a pause or a new source interrupts it: expected here, not an error
  function play(el) {
    var p = el.play();
    if (p && p.catch) p.catch(function () {});
  }
  function finite(d) { return typeof d === "number" && isFinite(d) && d > 0 ? d : null; }
  function clock(t) {
    if (!isFinite(t) || t < 0) t = 0;
    var m = Math.floor(t / 60), s = t - m * 60;
    return m + ":" + (s < 10 ? "0" : "") + s.toFixed(1);
  }
  var swatch = MB.swatch;
  function typing(e) {
    var t = e.target && e.target.tagName;
    return t === "SELECT" || t === "TEXTAREA" || (t === "INPUT" && e.target.type !== "range") || (e.target && e.target.isContentEditable);
  }
  // the compare page moves its step cursor on arrow keys anywhere; a slider of ours keeps them
  function keepArrows(ls, input) {
    ls.on(input, "keydown", function (e) {
      if (e.key === "ArrowLeft" || e.key === "ArrowRight" || e.key === "Home" || e.key === "End" ||
          e.key === "ArrowUp" || e.key === "ArrowDown" || e.key === "PageUp" || e.key === "PageDown") e.stopPropagation();
    });
  }

  MB.cmpSync = { SEEK_TOL: SEEK_TOL, listeners: listeners, play: play, finite: finite, clock: clock,
    swatch: swatch, typing: typing, keepArrows: keepArrows };
})();
