/* Min side: warn before the idle timeout logs the citizen out.
 * The server ends the portal session after data-session-seconds without a request; this
 * script opens a dialog data-warning-seconds before, counts down, and either renews the
 * session ("Stay logged in" posts to the keep-alive address) or, at zero, goes to the
 * login page. Without JavaScript the server's timeout still applies. */
(function () {
  "use strict";
  var body = document.body;
  var total = parseInt(body.getAttribute("data-session-seconds") || "0", 10);
  var warn = parseInt(body.getAttribute("data-warning-seconds") || "0", 10);
  var dialog = document.getElementById("session-timeout");
  if (!total || !dialog || typeof dialog.showModal !== "function") { return; }
  var countdown = dialog.querySelector("[data-countdown]");
  var keep = dialog.querySelector("[data-keepalive]");
  var lang = document.documentElement.lang === "en" ? "en" : "da";
  var deadline, warnTimer, tickTimer;

  function csrf() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function words(seconds) {
    var minutes = Math.floor(seconds / 60), rest = seconds % 60;
    if (lang === "en") {
      return minutes > 0 ? minutes + (minutes === 1 ? " minute" : " minutes") + (rest ? " " + rest + " s" : "")
                         : rest + (rest === 1 ? " second" : " seconds");
    }
    return minutes > 0 ? minutes + (minutes === 1 ? " minut" : " minutter") + (rest ? " " + rest + " s" : "")
                       : rest + (rest === 1 ? " sekund" : " sekunder");
  }
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (countdown) { countdown.textContent = words(left); }
    if (left <= 0) {
      window.location.href = body.getAttribute("data-timed-out-url");
    }
  }
  function start() {
    clearTimeout(warnTimer); clearInterval(tickTimer);
    deadline = Date.now() + total * 1000;
    warnTimer = setTimeout(function () {
      tick();
      dialog.showModal();
      if (keep) { keep.focus(); }
      tickTimer = setInterval(tick, 1000);
    }, Math.max(0, (total - warn) * 1000));
  }
  if (keep) {
    keep.addEventListener("click", function () {
      var request = new XMLHttpRequest();
      request.open("POST", body.getAttribute("data-keepalive-url"));
      request.setRequestHeader("X-CSRFToken", csrf());
      request.onload = function () {
        if (request.status === 200) { dialog.close(); start(); }
        else { window.location.href = body.getAttribute("data-timed-out-url"); }
      };
      request.send();
    });
  }
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); if (keep) { keep.click(); } });
  start();
}());
