// "Turn on notifications on this device": ask permission, subscribe with the server's VAPID public
// key, and send the subscription to Handbook. The service worker (/sw.js) shows the messages.
(function () {
  "use strict";
  var button = document.getElementById("push-enable");
  if (!button) return;
  var status = document.getElementById("push-status");
  function say(text) { status.textContent = text; }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    button.disabled = true;
    say(button.dataset.unsupported);
    return;
  }
  function keyBytes(b64) {
    var padded = (b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  button.addEventListener("click", function () {
    button.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { throw new Error("denied"); }
      return navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; });
    }).then(function (registration) {
      return registration.pushManager.getSubscription().then(function (existing) {
        return existing || registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: keyBytes(button.dataset.key)
        });
      });
    }).then(function (subscription) {
      var data = subscription.toJSON();
      return fetch(button.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": button.dataset.csrf},
        body: JSON.stringify({endpoint: data.endpoint, keys: data.keys, user_agent: navigator.userAgent})
      });
    }).then(function (response) {
      if (!response.ok) { throw new Error("server"); }
      say(button.dataset.done);
    }).catch(function (error) {
      say(error && error.message === "denied" ? button.dataset.denied : button.dataset.failed);
    }).then(function () { button.disabled = false; });
  });
})();
