// A form whose button has data-once submits once: a double click sends one request (the
// server also never sends the same email twice).
"use strict";

document.addEventListener("submit", (event) => {
  const button = event.target.querySelector("button[data-once]");
  if (!button) return;
  if (button.dataset.sent) { event.preventDefault(); return; }
  button.dataset.sent = "1";
  setTimeout(() => { button.disabled = true; }, 0);
});
