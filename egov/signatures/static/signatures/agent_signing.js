/* Signing with the official's USB token through the signing agent (docs/signing-agent.md).

   For each [data-agent-signing] section (signatures/_agent_signing.html):
   1. GET {agent}/v1/status: the token and its certificates (no PIN needed), or a clear message
      when the agent is not running or no token is plugged in;
   2. on "Ký số": POST the selected ids + the chosen certificate (PEM) to begin_url → the digests;
   3. POST {agent}/v1/sign-batch with all digests: one PIN entry, on the agent's side;
   4. POST each signature value to finish_url; progress n/N and a result per document.
   A document that fails does not stop the others. The page never sees the PIN.
   Also: a "select all" checkbox ([data-select-all="name"]) for the list's checkboxes. */
(function () {
  "use strict";

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function csrfToken(form) {
    var input = form ? form.querySelector("input[name=csrfmiddlewaretoken]") : null;
    if (!input) { input = document.querySelector("input[name=csrfmiddlewaretoken]"); }
    return input ? input.value : "";
  }

  function requestId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function postJson(url, body, form) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(form) },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, body: data }; });
    });
  }

  function setUp(section) {
    var texts = section.querySelector("[data-agent-texts]").dataset;
    var agent = section.dataset.agentUrl.replace(/\/$/, "");
    var form = document.getElementById(section.dataset.itemsForm);
    var state = section.querySelector("[data-agent-state]");
    var choose = section.querySelector("[data-agent-choose]");
    var select = section.querySelector("[data-agent-certificate]");
    var signButton = section.querySelector("[data-agent-sign]");
    var retry = section.querySelector("[data-agent-retry]");
    var progress = section.querySelector("[data-agent-progress]");
    var bar = section.querySelector("[data-agent-progress-bar]");
    var count = section.querySelector("[data-agent-count]");
    var results = section.querySelector("[data-agent-results]");
    var certificates = [];
    var busy = false;

    function say(text) { state.textContent = text; }

    function checkAgent() {
      say(texts.checking);
      signButton.disabled = true;
      retry.hidden = true;
      fetch(agent + "/v1/status", { method: "GET", mode: "cors", credentials: "omit", cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(function (status) {
          if (status.error) { throw new Error(status.error.message); }
          if (!status.token || !status.token.present) { say(texts.noToken); retry.hidden = false; return; }
          certificates = (status.certificates || []).filter(function (c) { return !c.is_ca; });
          if (!certificates.length) { say(texts.noCertificate); retry.hidden = false; return; }
          select.textContent = "";
          certificates.forEach(function (c, index) {
            var option = document.createElement("option");
            option.value = String(index);
            option.textContent = c.subject + " — " + texts.validUntil + " " + c.not_after.slice(0, 10);
            select.appendChild(option);
          });
          choose.hidden = false;
          signButton.disabled = false;
          retry.hidden = false;
          say(format(texts.ready, { token: status.token.label || "" }));
        })
        .catch(function (error) {
          choose.hidden = true;
          retry.hidden = false;
          say(error && error.message && error.message.indexOf("fetch") === -1 && error.name !== "TypeError"
            ? error.message : texts.unreachable);
        });
    }

    function selectedIds() {
      if (!form) { return []; }
      return Array.prototype.filter.call(form.querySelectorAll("input[name=documents]"), function (input) {
        return input.type !== "checkbox" || input.checked;
      }).map(function (input) { return input.value; });
    }

    function showResult(label, ok, message) {
      var item = document.createElement("li");
      item.className = ok ? "agent-result agent-result-ok" : "agent-result agent-result-failed";
      item.textContent = label + ": " + (ok ? message : (texts.failed + " — " + message));
      results.appendChild(item);
    }

    function sign() {
      if (busy) { return; }
      var ids = selectedIds();
      if (!ids.length) { say(texts.noneSelected); return; }
      var certificate = certificates[Number(select.value) || 0];
      var total = ids.length;
      var done = 0;
      var signed = 0;
      busy = true;
      signButton.disabled = true;
      results.textContent = "";
      progress.hidden = false;
      bar.max = total;
      bar.value = 0;

      function step(label, ok, message) {
        done += 1;
        if (ok) { signed += 1; }
        bar.value = done;
        count.textContent = format(texts.progress, { done: done, total: total });
        showResult(label, ok, message);
      }

      function finishAll() {
        busy = false;
        signButton.disabled = false;
        say(format(texts.done, { ok: signed, total: total }));
      }

      count.textContent = format(texts.progress, { done: 0, total: total });
      say(texts.preparing);
      postJson(section.dataset.beginUrl, { documents: ids, certificate: certificate.pem }, form)
        .then(function (answer) {
          if (answer.body.error) { throw new Error(answer.body.error); }
          answer.body.outcomes.forEach(function (o) { step(o.label, o.ok, o.message); });
          var prepared = answer.body.prepared;
          if (!prepared.length) { return null; }
          say(format(texts.waitingPin, { n: prepared.length }));
          return fetch(agent + "/v1/sign-batch", {
            method: "POST",
            mode: "cors",
            credentials: "omit",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({
              request_id: requestId(),
              digest_algorithm: "sha256",
              certificate_serial: certificate.serial,
              documents: prepared.map(function (p) {
                return { item_id: p.item_id, digest: p.digest, title: p.label.slice(0, 300), reference: p.reference };
              })
            })
          }).then(function (response) { return response.json(); }).then(function (batch) {
            if (batch.error) {
              prepared.forEach(function (p) { step(p.label, false, batch.error.message); });
              return null;
            }
            var byItem = {};
            batch.results.forEach(function (r) { byItem[r.item_id] = r; });
            // One document after the other: each finish embeds a timestamp on the server.
            return prepared.reduce(function (chain, p) {
              return chain.then(function () {
                var result = byItem[p.item_id];
                if (!result || result.status !== "signed") {
                  step(p.label, false, result && result.error ? result.error.message : texts.failed);
                  return null;
                }
                return postJson(section.dataset.finishUrl,
                  { document: p.id, pending_id: p.pending_id, signature: result.signature }, form)
                  .then(function (outcome) {
                    if (outcome.body.error) { step(p.label, false, outcome.body.error); return; }
                    step(outcome.body.label, outcome.body.ok, outcome.body.message);
                    if (outcome.body.ok) { markSigned(p.id); }
                  })
                  .catch(function () { step(p.label, false, texts.serverError); });
              });
            }, Promise.resolve());
          });
        })
        .catch(function (error) {
          var message = error && error.message && error.name !== "TypeError" ? error.message : texts.unreachable;
          say(message);
          while (done < total) { step("#" + ids[done], false, message); }
        })
        .then(finishAll, finishAll);
    }

    function markSigned(id) {
      if (!form) { return; }
      var box = form.querySelector("input[type=checkbox][name=documents][value='" + String(Number(id)) + "']");
      if (box) { box.checked = false; box.disabled = true; }
    }

    signButton.addEventListener("click", sign);
    retry.addEventListener("click", checkAgent);
    checkAgent();
  }

  function setUpSelectAll(box) {
    var form = box.form;
    var name = box.dataset.selectAll;
    function boxes() {
      return Array.prototype.filter.call(form.querySelectorAll("input[type=checkbox][name='" + name + "']"),
        function (b) { return !b.disabled; });
    }
    box.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = box.checked; });
    });
    form.addEventListener("change", function (event) {
      if (event.target === box || event.target.name !== name) { return; }
      var all = boxes();
      var checked = all.filter(function (b) { return b.checked; }).length;
      box.checked = all.length > 0 && checked === all.length;
      box.indeterminate = checked > 0 && checked < all.length;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-agent-signing]"), setUp);
  Array.prototype.forEach.call(document.querySelectorAll("input[data-select-all]"), setUpSelectAll);
})();
