// goodwill desk: keyboard shortcuts, "use this suggestion", and copying a reply before it is marked as sent.
// Loaded from our own origin (the CSP allows no inline script); everything here reads the DOM and never
// builds HTML from text, so hostile post text cannot become markup.
(function () {
  "use strict";

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function caseLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("a.case-link"));
  }

  function move(step) {
    var links = caseLinks();
    if (!links.length) { return; }
    var at = links.indexOf(document.activeElement);
    var next = at < 0 ? 0 : Math.min(links.length - 1, Math.max(0, at + step));
    links[next].focus();
  }

  var pendingG = false;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      if (key === "i") { window.location.assign("/inbox"); event.preventDefault(); }
      return;
    }
    if (key === "j") { move(1); event.preventDefault(); }
    else if (key === "k") { move(-1); event.preventDefault(); }
    else if (key === "/") {
      var filter = document.querySelector("#filters select");
      if (filter) { filter.focus(); event.preventDefault(); }
    } else if (key === "r") {
      var reply = document.getElementById("reply-text");
      if (reply) { reply.focus(); event.preventDefault(); }
    } else if (key === "g") { pendingG = true; }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.use-suggestion");
    if (!button) { return; }
    var reply = document.getElementById("reply-text");
    if (reply) {
      reply.value = button.getAttribute("data-text") || "";
      reply.focus();
      reply.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.id !== "composer" || !event.submitter || event.submitter.id !== "send") { return; }
    var reply = document.getElementById("reply-text");
    if (reply && navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(reply.value).catch(function () { /* copying is a convenience */ });
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var first = caseLinks()[0];
    if (first && document.activeElement === document.body) { first.focus(); }
  });
})();
