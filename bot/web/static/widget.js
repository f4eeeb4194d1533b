/*
 * Chat widget of the mutuelle assistant.
 *
 * Embedded on any page with one tag:
 *   <script src="https://assistant.example/chat/widget.js" defer></script>
 *
 * Dependency-free and self-contained: everything (config, stylesheet,
 * messages) comes from the origin that served this file, nothing from
 * elsewhere. It talks to the assistant's REST channel (POST
 * /webhooks/rest/webhook) with a conversation id the server issued and
 * signed (POST /webhooks/rest/session; a refused one is replaced), renders
 * bot text as text only (links only for http/https URLs, e-mail addresses
 * and phone numbers: https:, mailto:, tel:, built with the DOM API), and keeps the conversation for the browser session only
 * (sessionStorage: nothing persistent, no cookie).
 */
(function () {
  "use strict";

  var GLOBAL_FLAG = "__mutuelleAssistantWidget";
  if (window[GLOBAL_FLAG]) {
    return; // embedded twice: keep the first one
  }
  window[GLOBAL_FLAG] = true;

  var MAX_INPUT = 1000;
  var MAX_STORED_MESSAGES = 200;
  var DEFAULT_TIMEOUT_MS = 30000;
  var DEFAULT_WEBHOOK = "/webhooks/rest/webhook";
  var DEFAULT_SESSION = "/webhooks/rest/session";
  var DEFAULT_FORGET = "/webhooks/rest/forget";
  // conversation ids issued by the server: random part and its signature
  var SENDER_RE = /^web-[0-9a-f]{32}\.[0-9a-f]{32}$/;
  var GREET_PAYLOAD = "/greet";
  var DEFAULT_COLORS = { primary: "#1f4e79", onPrimary: "#ffffff" };
  var COLOR_RE = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
  // Runs of 6+ digits (spaces, dots or dashes allowed between them): a NIR,
  // a one-time code or an account number. Masked in what the widget shows
  // and keeps, so they never sit in the browser's session storage.
  var SENSITIVE_DIGITS_RE = /\d(?:[ .\-]?\d){5,}/g;
  // Links in bot text: markdown links [label](URL), http(s) URLs, e-mail addresses
  // (mailto:), bare web domains (https://) and French phone numbers (tel:),
  // the same kinds as bot/links.py finds for Telegram. No lookbehind (older
  // Safari would refuse the whole script).
  var LINK_RE = new RegExp(
    "\\[([^\\]\\n]{1,200})\\]\\(([^()\\s]{1,2000})\\)" +
    "|(\\bhttps?:\\/\\/[^\\s<>\"'«»]+)" +
    "|([A-Za-z0-9._%+\\-]+@[A-Za-z0-9\\-]+(?:\\.[A-Za-z0-9\\-]+)*\\.[A-Za-z]{2,})" +
    "|(\\b(?:www\\.)?[a-z0-9\\-]+(?:\\.[a-z0-9\\-]+)*\\.(?:fr|com|org|net|eu)\\b(?:\\/[^\\s<>\"'«»]*)?)" +
    "|((?:\\+33[ \\u00a0\\u202f]?[1-9]|\\b0[1-9])(?:[ \\u00a0\\u202f.]\\d{2}){4}(?!\\d))",
    "gi"
  );
  var EMAIL_RE = /^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$/;
  var TRAILING_PUNCTUATION = ".,;:!?'\"…»)]}";

  var TEXT = {
    open: "Ouvrir la discussion",
    close: "Fermer la discussion",
    clear: "Effacer la conversation",
    send: "Envoyer",
    inputLabel: "Votre message",
    placeholder: "Écrivez votre message…",
    logLabel: "Messages de la discussion",
    historyLabel: "Historique de la discussion",
    subtitle: "Assistant virtuel",
    defaultName: "Votre mutuelle",
    typing: "L'assistant écrit…",
    you: "Vous : ",
    bot: "Assistant : ",
    buttonsLabel: "Réponses proposées",
    unavailable: "Le service est momentanément indisponible. Réessayez dans quelques instants.",
    notice: "Vous pouvez effacer cette conversation à tout moment, ici et sur notre serveur. Ne communiquez jamais votre mot de passe.",
    tooLong: "Votre message est limité à " + MAX_INPUT + " caractères.",
    forgotten: "Votre conversation a été effacée, y compris sur notre serveur.",
    forgetFailed: "La conversation n'a pas pu être effacée sur notre serveur. Réessayez dans quelques instants."
  };

  // ---------------------------------------------------------------- origin

  function findScript() {
    if (document.currentScript && document.currentScript.src) {
      return document.currentScript;
    }
    var scripts = document.getElementsByTagName("script");
    for (var i = scripts.length - 1; i >= 0; i -= 1) {
      if (/\/chat\/widget\.js(?:[?#].*)?$/.test(scripts[i].src)) {
        return scripts[i];
      }
    }
    return null;
  }

  var script = findScript();
  var scriptUrl = new URL(script ? script.src : "/chat/widget.js", window.location.href);
  var ORIGIN = scriptUrl.origin;
  var BASE = new URL("./", scriptUrl).href; // <origin>/chat/
  var STORAGE_KEY = "mutuelle-assistant:v1:" + ORIGIN;

  // ---------------------------------------------------------------- storage

  function sessionStore() {
    try {
      return window.sessionStorage;
    } catch (err) {
      return null; // storage disabled: the conversation lives in memory only
    }
  }

  function loadState() {
    var store = sessionStore();
    var state = null;
    if (store) {
      try {
        state = JSON.parse(store.getItem(STORAGE_KEY) || "null");
      } catch (err) {
        state = null;
      }
    }
    if (!state || typeof state !== "object" || !Array.isArray(state.messages)) {
      state = { sender: null, open: false, messages: [] };
    }
    if (typeof state.sender !== "string" || !SENDER_RE.test(state.sender)) {
      state.sender = null; // asked from the server before the next message
    }
    state.messages = state.messages.filter(function (m) {
      return m && (m.from === "user" || m.from === "bot") && typeof m.text === "string";
    });
    return state;
  }

  var state = loadState();

  function saveState() {
    var store = sessionStore();
    if (!store) {
      return;
    }
    if (state.messages.length > MAX_STORED_MESSAGES) {
      state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
    }
    try {
      store.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (err) {
      // quota exceeded or storage disabled: keep going without persistence
    }
  }

  function maskSensitive(text) {
    return text.replace(SENSITIVE_DIGITS_RE, function (match) {
      return match.replace(/\d/g, "•");
    });
  }

  // ---------------------------------------------------------------- DOM helpers

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) {
          return;
        }
        if (key === "text") {
          node.textContent = value;
        } else if (key === "className") {
          node.className = value;
        } else {
          node.setAttribute(key, value === true ? "" : String(value));
        }
      });
    }
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function svgIcon(paths) {
    var ns = "http://www.w3.org/2000/svg"; // XML namespace name, not a fetched URL
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "24");
    svg.setAttribute("height", "24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    paths.forEach(function (d) {
      var path = document.createElementNS(ns, "path");
      path.setAttribute("d", d);
      svg.appendChild(path);
    });
    return svg;
  }

  var ICON_CHAT = ["M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"];
  var ICON_CLOSE = ["M6 6l12 12M18 6L6 18"];
  var ICON_SEND = ["M3 20l18-8L3 4v6l12 2-12 2z"];
  var ICON_CLEAR = ["M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13"];

  function safeHttpUrl(candidate) {
    try {
      var url = new URL(candidate);
      if (url.protocol === "http:" || url.protocol === "https:") {
        return url.href;
      }
    } catch (err) {
      // not a URL: shown as text
    }
    return null;
  }

  function linkNode(href, label) {
    if (href.indexOf("mailto:") === 0 || href.indexOf("tel:") === 0) {
      return el("a", { href: href, text: label }); // opens the mail app or the dialler
    }
    return el("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: label });
  }

  /* tel: link of a French number: "04 77 49 35 35" -> "tel:+33477493535". */
  function phoneHref(number) {
    var digits = number.replace(/\D/g, "");
    return digits.indexOf("33") === 0 ? "tel:+" + digits : "tel:+33" + digits.slice(1);
  }

  /* An address with the punctuation of the sentence it ends cut off: [address, trailing]. */
  function trimTrailing(address) {
    var trailing = "";
    while (address.length > 4 && TRAILING_PUNCTUATION.indexOf(address.charAt(address.length - 1)) !== -1) {
      var end = address.charAt(address.length - 1);
      if (end === ")" && address.indexOf("(") !== -1) {
        break;
      }
      trailing = end + trailing;
      address = address.slice(0, -1);
    }
    return [address, trailing];
  }

  /* Text with clickable http/https links; everything else stays text. */
  function renderRichText(container, text) {
    var last = 0;
    var match;
    LINK_RE.lastIndex = 0;
    while ((match = LINK_RE.exec(text)) !== null) {
      var start = match.index;
      var whole = match[0];
      var node = null;
      var trailing = "";
      var trimmed;
      if (match[3] || match[5]) {
        trimmed = trimTrailing(match[3] || match[5]);
        var url = trimmed[0];
        trailing = trimmed[1];
        var href = safeHttpUrl(match[3] ? url : "https://" + url);
        if (href) {
          node = linkNode(href, url);
        }
      } else if (match[4]) {
        if (EMAIL_RE.test(match[4])) {
          node = linkNode("mailto:" + match[4], match[4]);
        }
      } else if (match[6]) {
        node = linkNode(phoneHref(match[6]), match[6]);
      } else {
        var mdHref = safeHttpUrl(match[2]);
        if (mdHref) {
          node = linkNode(mdHref, match[1]);
        }
      }
      if (!node) {
        continue; // not a safe link: left in the plain text
      }
      if (start > last) {
        container.appendChild(document.createTextNode(text.slice(last, start)));
      }
      container.appendChild(node);
      if (trailing) {
        container.appendChild(document.createTextNode(trailing));
      }
      last = start + whole.length;
    }
    if (last < text.length) {
      container.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  // ---------------------------------------------------------------- widget DOM

  var host = el("div", { id: "mutuelle-assistant-widget", "data-origin": ORIGIN });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var stylesheet = el("link", { rel: "stylesheet", href: new URL("widget.css", BASE).href });
  var frame = el("div", { className: "mw-root", hidden: true });

  var launcher = el("button", {
    type: "button",
    className: "mw-launcher",
    "aria-label": TEXT.open,
    title: TEXT.open,
    "aria-expanded": "false",
    "aria-controls": "mw-panel"
  }, [svgIcon(ICON_CHAT)]);

  var titleName = el("span", { className: "mw-title-name", text: TEXT.defaultName });
  var title = el("h2", { className: "mw-title", id: "mw-title" }, [
    titleName,
    el("span", { className: "mw-title-sub", text: TEXT.subtitle })
  ]);
  var clearButton = el("button", {
    type: "button", className: "mw-icon-button mw-clear", "aria-label": TEXT.clear, title: TEXT.clear
  }, [svgIcon(ICON_CLEAR)]);
  var closeButton = el("button", {
    type: "button", className: "mw-icon-button mw-close", "aria-label": TEXT.close, title: TEXT.close
  }, [svgIcon(ICON_CLOSE)]);
  var header = el("div", { className: "mw-header" }, [
    title, el("div", { className: "mw-header-actions" }, [clearButton, closeButton])
  ]);

  var log = el("div", {
    className: "mw-log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    "aria-label": TEXT.logLabel
  });
  var typing = el("div", { className: "mw-typing", role: "status", "aria-live": "polite" });
  // scrollable history, reachable with Tab to scroll it with the arrow keys
  var body = el("div", {
    className: "mw-body", role: "region", "aria-label": TEXT.historyLabel, tabindex: "0"
  }, [
    el("p", { className: "mw-notice", text: TEXT.notice }), log, typing
  ]);

  var errorBox = el("p", { className: "mw-error", role: "alert", hidden: true });
  var input = el("textarea", {
    id: "mw-input",
    className: "mw-input",
    rows: "1",
    maxlength: String(MAX_INPUT),
    placeholder: TEXT.placeholder,
    autocomplete: "off",
    spellcheck: "true",
    "aria-describedby": "mw-counter"
  });
  var counter = el("span", { id: "mw-counter", className: "mw-counter", "aria-live": "polite" });
  var sendButton = el("button", {
    type: "submit", className: "mw-send", "aria-label": TEXT.send, title: TEXT.send
  }, [svgIcon(ICON_SEND)]);
  var form = el("form", { className: "mw-form", novalidate: true }, [
    el("label", { className: "mw-sr-only", for: "mw-input", text: TEXT.inputLabel }),
    input,
    sendButton
  ]);

  var panel = el("div", {
    id: "mw-panel",
    className: "mw-panel",
    role: "dialog",
    "aria-modal": "false",
    "aria-labelledby": "mw-title",
    hidden: true
  }, [header, body, errorBox, form, counter]);

  frame.appendChild(launcher);
  frame.appendChild(panel);
  root.appendChild(stylesheet);
  root.appendChild(frame);

  function reveal() {
    frame.hidden = false;
  }
  stylesheet.addEventListener("load", reveal);
  stylesheet.addEventListener("error", reveal); // unstyled but usable beats invisible

  // ---------------------------------------------------------------- config

  var config = {
    name: TEXT.defaultName, webhook: DEFAULT_WEBHOOK, session: DEFAULT_SESSION, forget: DEFAULT_FORGET,
    timeoutMs: DEFAULT_TIMEOUT_MS
  };

  function isLocalPath(value) {
    return typeof value === "string" && value.charAt(0) === "/" && value.charAt(1) !== "/";
  }

  function applyConfig(data) {
    if (!data || typeof data !== "object") {
      return;
    }
    if (typeof data.name === "string" && data.name.trim()) {
      config.name = data.name.trim().slice(0, 80);
    }
    if (isLocalPath(data.webhook)) {
      config.webhook = data.webhook;
    }
    if (isLocalPath(data.session)) {
      config.session = data.session;
    }
    if (isLocalPath(data.forget)) {
      config.forget = data.forget;
    }
    if (typeof data.timeoutMs === "number" && isFinite(data.timeoutMs)) {
      config.timeoutMs = Math.min(120000, Math.max(1000, data.timeoutMs));
    }
    var colors = data.colors || {};
    var primary = COLOR_RE.test(colors.primary || "") ? colors.primary : DEFAULT_COLORS.primary;
    var onPrimary = COLOR_RE.test(colors.onPrimary || "") ? colors.onPrimary : DEFAULT_COLORS.onPrimary;
    // CSSOM custom properties: allowed by a strict CSP, unlike style attributes
    host.style.setProperty("--mw-primary", primary);
    host.style.setProperty("--mw-on-primary", onPrimary);
    titleName.textContent = config.name;
  }

  applyConfig({ colors: DEFAULT_COLORS });
  var configReady = window.fetch(new URL("config.json", BASE).href, {
    credentials: "omit",
    cache: "no-store",
    headers: { Accept: "application/json" }
  }).then(function (resp) {
    return resp.ok ? resp.json() : null;
  }).then(applyConfig, function () {
    // unreachable: defaults stay, sending will show the French error
  });

  // ---------------------------------------------------------------- rendering

  function scrollToEnd() {
    body.scrollTop = body.scrollHeight;
  }

  function disableAllButtons() {
    state.messages.forEach(function (m) {
      if (m.buttons) {
        m.buttonsUsed = true;
      }
    });
    var buttons = log.querySelectorAll(".mw-quick");
    for (var i = 0; i < buttons.length; i += 1) {
      buttons[i].disabled = true;
    }
  }

  function renderMessage(message) {
    var item;
    if (message.from === "user") {
      item = el("div", { className: "mw-msg mw-msg-user" }, [
        el("span", { className: "mw-sr-only", text: TEXT.you }),
        el("span", { className: "mw-text", text: message.text })
      ]);
    } else {
      var textNode = el("span", { className: "mw-text" });
      renderRichText(textNode, message.text);
      item = el("div", { className: "mw-msg mw-msg-bot" }, [
        el("span", { className: "mw-sr-only", text: TEXT.bot }),
        textNode
      ]);
      if (message.buttons && message.buttons.length) {
        var group = el("div", { className: "mw-buttons", role: "group", "aria-label": TEXT.buttonsLabel });
        message.buttons.forEach(function (button) {
          var b = el("button", {
            type: "button", className: "mw-quick", text: button.title, disabled: Boolean(message.buttonsUsed)
          });
          b.addEventListener("click", function () {
            if (busy || b.disabled) {
              return;
            }
            send(button.payload, button.title, true);
          });
          group.appendChild(b);
        });
        item.appendChild(group);
      }
    }
    log.appendChild(item);
    return item;
  }

  function addMessage(message) {
    state.messages.push(message);
    saveState();
    var node = renderMessage(message);
    scrollToEnd();
    return node;
  }

  function renderAll() {
    while (log.firstChild) {
      log.removeChild(log.firstChild);
    }
    state.messages.forEach(renderMessage);
    scrollToEnd();
  }

  function setTyping(on) {
    while (typing.firstChild) {
      typing.removeChild(typing.firstChild);
    }
    typing.classList.toggle("mw-typing-on", on);
    if (on) {
      typing.setAttribute("aria-label", TEXT.typing);
      typing.appendChild(el("span", { className: "mw-sr-only", text: TEXT.typing }));
      typing.appendChild(el("span", { className: "mw-dots", "aria-hidden": "true" }, [
        el("span"), el("span"), el("span")
      ]));
      scrollToEnd();
    } else {
      typing.removeAttribute("aria-label");
    }
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  /* Character-limit notice and a textarea that grows with its text. */
  function updateCounter() {
    counter.textContent = input.value.length >= MAX_INPUT ? TEXT.tooLong : "";
    input.style.height = "auto";
    if (input.value) {
      // at most the CSS max-height (7.5rem), measured at the current text size
      var rootSize = parseFloat(window.getComputedStyle(document.documentElement).fontSize) || 16;
      input.style.height = Math.min(input.scrollHeight + 2, 7.5 * rootSize) + "px";
    }
  }

  // ---------------------------------------------------------------- sending

  var busy = false;

  function botMessagesFrom(replies) {
    var out = [];
    (Array.isArray(replies) ? replies : []).forEach(function (reply) {
      if (!reply || typeof reply !== "object") {
        return;
      }
      var text = typeof reply.text === "string" ? reply.text : "";
      if (!text && typeof reply.image === "string" && safeHttpUrl(reply.image)) {
        text = reply.image; // never loaded from elsewhere: shown as a link
      }
      var buttons = (Array.isArray(reply.buttons) ? reply.buttons : []).filter(function (b) {
        return b && typeof b.title === "string" && typeof b.payload === "string" && b.title && b.payload;
      }).map(function (b) {
        return { title: b.title.slice(0, 200), payload: b.payload.slice(0, MAX_INPUT) };
      });
      if (text || buttons.length) {
        out.push({ from: "bot", text: text, buttons: buttons.length ? buttons : undefined });
      }
    });
    return out;
  }

  /* POSTs ``body`` (JSON) to a path of the assistant; the decoded JSON answer, within config.timeoutMs. */
  function postJson(path, body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = null;
    var timeout = new Promise(function (resolve, reject) {
      timer = window.setTimeout(function () {
        if (controller) {
          controller.abort();
        }
        reject(new Error("timeout"));
      }, config.timeoutMs);
    });
    var request = window.fetch(new URL(path, ORIGIN).href, {
      method: "POST",
      credentials: "omit",
      cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      signal: controller ? controller.signal : undefined
    }).then(function (resp) {
      if (!resp.ok) {
        var error = new Error("HTTP " + resp.status);
        error.status = resp.status;
        throw error;
      }
      return resp.json();
    });
    return Promise.race([request, timeout]).then(function (value) {
      window.clearTimeout(timer);
      return value;
    }, function (err) {
      window.clearTimeout(timer);
      throw err;
    });
  }

  /* The conversation id: the stored one, or a new one issued by the server. */
  function ensureSender(renew) {
    if (state.sender && !renew) {
      return Promise.resolve(state.sender);
    }
    var owner = state;
    return postJson(config.session, {}).then(function (data) {
      if (!data || typeof data.sender !== "string" || !SENDER_RE.test(data.sender)) {
        throw new Error("no conversation id");
      }
      if (owner === state) {
        state.sender = data.sender;
        saveState();
      }
      return data.sender;
    });
  }

  function postMessage(sender, message) {
    return postJson(config.webhook, { sender: sender, message: message });
  }

  /*
   * Sends ``message`` in the conversation. A conversation id the server
   * refuses (403: issued under another key, or altered) is replaced by a
   * new one and the message sent once more.
   */
  function post(message) {
    return ensureSender(false).then(function (sender) {
      return postMessage(sender, message);
    }).then(null, function (err) {
      if (!err || err.status !== 403) {
        throw err;
      }
      return ensureSender(true).then(function (sender) {
        return postMessage(sender, message);
      });
    });
  }

  function setBusy(on) {
    busy = on;
    sendButton.setAttribute("aria-disabled", on ? "true" : "false");
    setTyping(on);
  }

  /*
   * Sends ``payload`` to the assistant. ``shown`` is what the member sees as
   * their message (the typed text, or a button's title); null for the
   * silent greeting. On failure the message is withdrawn and the typed text
   * put back in the input so the member can resend it.
   */
  function send(payload, shown, fromButton) {
    if (busy) {
      return Promise.resolve(false);
    }
    showError("");
    var userMessage = null;
    var usedBefore = state.messages.map(function (m) {
      return Boolean(m.buttonsUsed);
    });
    if (shown !== null) {
      userMessage = { from: "user", text: maskSensitive(shown) };
      disableAllButtons();
      addMessage(userMessage);
      if (fromButton && isOpen()) {
        input.focus(); // the pressed button is now disabled: keep the focus useful
      }
    }
    setBusy(true);
    return configReady.then(function () {
      return post(payload);
    }).then(function (replies) {
      setBusy(false);
      botMessagesFrom(replies).forEach(addMessage);
      saveState();
      return true;
    }, function () {
      setBusy(false);
      if (userMessage) {
        // not received: withdraw the message and offer the buttons again
        state.messages.splice(state.messages.indexOf(userMessage), 1);
        state.messages.forEach(function (m, i) {
          if (m.buttons) {
            m.buttonsUsed = usedBefore[i];
          }
        });
        saveState();
        renderAll();
        if (!fromButton && !input.value) {
          input.value = shown; // kept so the member can resend it
          updateCounter();
        }
      }
      showError(TEXT.unavailable);
      return false;
    }).then(function (ok) {
      if (isOpen() && !ok) {
        input.focus();
      }
      return ok;
    });
  }

  function submitInput() {
    var text = input.value.replace(/^\s+|\s+$/g, "");
    if (!text || busy) {
      return;
    }
    text = text.slice(0, MAX_INPUT);
    input.value = "";
    updateCounter();
    send(text, text, null);
  }

  // ---------------------------------------------------------------- open / close

  function isOpen() {
    return !panel.hidden;
  }

  function setOpen(open, moveFocus) {
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    frame.classList.toggle("mw-open", open);
    state.open = open;
    saveState();
    if (open) {
      scrollToEnd();
      if (moveFocus) {
        input.focus();
      }
      if (!state.messages.length && !busy) {
        send(GREET_PAYLOAD, null, null);
      }
    } else if (moveFocus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", function () {
    setOpen(true, true);
  });
  closeButton.addEventListener("click", function () {
    setOpen(false, true);
  });
  /*
   * "Effacer la conversation": the server deletes the stored conversation
   * first (its signed id proves it is this browser's), then the browser
   * forgets it and says so; a new conversation starts with the greeting.
   * If the server cannot erase it, nothing is forgotten and the member is
   * told to try again.
   */
  function startAfresh() {
    state = { sender: null, open: true, messages: [] }; // a new conversation id comes with the greeting
    saveState();
    renderAll();
    addMessage({ from: "bot", text: TEXT.forgotten });
    input.focus();
    send(GREET_PAYLOAD, null, null);
  }

  clearButton.addEventListener("click", function () {
    if (busy) {
      return;
    }
    showError("");
    if (!state.sender) {
      startAfresh();
      return;
    }
    setBusy(true);
    configReady.then(function () {
      return postJson(config.forget, { sender: state.sender });
    }).then(function () {
      setBusy(false);
      startAfresh();
    }, function (err) {
      setBusy(false);
      if (err && err.status === 403) {
        startAfresh(); // an id this server no longer knows: nothing of it to erase here
        return;
      }
      showError(TEXT.forgetFailed);
    });
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") {
      event.preventDefault();
      setOpen(false, true);
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submitInput();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitInput();
    }
  });
  input.addEventListener("input", updateCounter);

  // ---------------------------------------------------------------- start

  function mount() {
    document.body.appendChild(host);
    renderAll();
    if (state.open) {
      setOpen(true, false); // reopened after a reload, without stealing focus
    }
  }

  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount);
  }
})();
