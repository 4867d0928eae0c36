// Embeds that fit their content. One small file with two roles, served by this site only:
//
// - Inside an embed (its <html> has data-explainer-embed) it tells the page around the
//   frame how tall the embed is: {type: "explainer:height", height: <CSS pixels>}.
// - On another site's page (the host), included with the snippet's <script> line, it
//   listens for those messages and sets the height of the frame that sent one. It accepts
//   a message only from this site's origin (the origin the script itself came from), only
//   of that exact shape with a finite height within bounds, and only from an <iframe> whose
//   address is on this site; it changes nothing but that frame's height.
//
// Without it the frame keeps the fixed height the snippet gives it.
(function () {
  "use strict";
  var TYPE = "explainer:height";
  var ASK = "explainer:ask-height";
  var MIN = 50;
  var MAX = 20000;

  if (document.documentElement.hasAttribute("data-explainer-embed")) {
    if (window.parent === window) return;
    var last = 0;
    var tell = function (target, origin) {
      var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (target === window.parent && height === last) return;
      last = height;
      // The height is no secret: any page may frame the embed and learn it.
      target.postMessage({ type: TYPE, height: height }, origin || "*");
    };
    new ResizeObserver(function () { tell(window.parent); }).observe(document.documentElement);
    window.addEventListener("message", function (event) {
      if (event.source === window.parent && event.data && event.data.type === ASK) {
        last = 0;
        tell(window.parent, event.origin);
      }
    });
    return;
  }

  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src, location.href).origin;

  function ours(frame) {
    try {
      return new URL(frame.src, location.href).origin === origin;
    } catch (e) {
      return false;
    }
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin) return;
    var data = event.data;
    if (typeof data !== "object" || data === null || data.type !== TYPE) return;
    if (Object.keys(data).length !== 2) return;
    var height = data.height;
    if (typeof height !== "number" || !isFinite(height) || height < MIN || height > MAX) return;
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        if (ours(frames[i])) frames[i].style.height = Math.ceil(height) + "px";
        return;
      }
    }
  });

  // Frames that told their height before this script ran: ask them again.
  function ask() {
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (ours(frames[i]) && frames[i].contentWindow) {
        frames[i].contentWindow.postMessage({ type: ASK }, origin);
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ask);
  } else {
    ask();
  }
})();
