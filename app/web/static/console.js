// Light progressive enhancement; every page works without it.
"use strict";

// Buttons with data-confirm ask first (cancel an email, reject a hand-off, roll back).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

// A background job's progress: <div data-job-url="/api/jobs/ID"> with a <progress> and a
// [data-job-message] inside, polled until the job is done, then the page follows
// the job's result link if it has one.
function followJob(box) {
  const bar = box.querySelector("progress");
  const message = box.querySelector("[data-job-message]");
  const poll = async () => {
    const response = await fetch(box.dataset.jobUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const job = await response.json();
    if (bar) { bar.max = job.total || 1; bar.value = job.done; }
    if (message) message.textContent = job.message || "";
    if (job.state === "running" || job.state === "queued") {
      setTimeout(poll, 500);
    } else if (job.state === "done" && job.result_url) {
      window.location.assign(job.result_url);
    } else {
      box.dataset.jobState = job.state;
    }
  };
  poll();
}
document.querySelectorAll("[data-job-url]").forEach(followJob);
