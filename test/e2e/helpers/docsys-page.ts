/**
 * The web page of the test "document system": client code written for these tests that
 * speaks the public client libraries' wire protocols, unchanged: VGCA (a new WebSocket to
 * wss://127.0.0.1:<port>/<Endpoint> per call, one JSON message sent on open, the first
 * message received is the answer) and VNPT-CA (one WebSocket to wss://localhost:<port>/plugin,
 * `{functionID, funcCallback, args, domain}` with `domain` the page's own hostname, replies
 * "<result>*<callback>" split at the last `*`).
 */

/** The page for the given service ports. */
export function docsysPage(vgcaPort: number, vnptPort: number): string {
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Hệ thống quản lý văn bản (thử nghiệm)</title></head>
<body>
<h1>Hệ thống quản lý văn bản</h1>
<p id="state">sẵn sàng</p>
<script>
'use strict';
// VGCA: one connection per operation; the first message is the answer.
function vgcaCall(endpoint, message) {
  return new Promise(function (resolve) {
    var answered = false;
    var ws = new WebSocket('wss://127.0.0.1:${vgcaPort}/' + endpoint);
    ws.onopen = function () { ws.send(message); };
    ws.onmessage = function (e) { answered = true; resolve(e.data); ws.close(); };
    ws.onclose = function () { if (!answered) resolve(JSON.stringify({ closed: true })); };
    ws.onerror = function () {};
  });
}
window.vgca_sign_approved = function (p, cb) { vgcaCall('SignApproved', p).then(cb); };
window.vgca_sign_issued = function (p, cb) { vgcaCall('SignIssued', p).then(cb); };
window.vgca_sign_income = function (p, cb) { vgcaCall('SignIncome', p).then(cb); };
window.vgca_sign_copy = function (p, cb) { vgcaCall('SignCopy', p).then(cb); };
window.vgca_sign_appendix = function (p, cb) { vgcaCall('SignAppendix', p).then(cb); };
window.vgca_comment = function (p, cb) { vgcaCall('Comment', p).then(cb); };
window.vgca_sign_files = function (p, cb) { vgcaCall('SignFiles', p).then(cb); };
window.vgca_get_certinfo = function (cb) { vgcaCall('GetCertInfo', 'get_cert_info').then(cb); };
// For the tests: call an endpoint by name, resolve with the callback's argument.
window.callVgca = function (fn, params) {
  return new Promise(function (resolve) {
    if (fn === 'vgca_get_certinfo') return window.vgca_get_certinfo(resolve);
    window[fn](JSON.stringify(params), resolve);
  });
};

// VNPT-CA: one connection, calls answered in order, callbacks by name.
var vnptSocket = null;
var vnptWaiting = [];
function vnptConnect() {
  return new Promise(function (resolve, reject) {
    if (vnptSocket && vnptSocket.readyState === 1) return resolve(vnptSocket);
    var ws = new WebSocket('wss://localhost:${vnptPort}/plugin');
    ws.onopen = function () { vnptSocket = ws; resolve(ws); };
    ws.onerror = function () { reject(new Error('plugin not reachable')); };
    ws.onmessage = function (e) {
      var s = e.data;
      var i = s.lastIndexOf('*');
      var w = vnptWaiting.shift();
      if (w) w({ result: s.slice(0, i), callback: s.slice(i + 1) });
    };
  });
}
window.callVnpt = function (functionID, args, callbackName) {
  return vnptConnect().then(function (ws) {
    return new Promise(function (resolve) {
      vnptWaiting.push(resolve);
      ws.send(JSON.stringify({ functionID: functionID, funcCallback: callbackName || 'callbackDefault', args: args, domain: window.location.hostname }));
    });
  });
};
</script>
</body></html>`;
}
