// Marks the lead paragraph once the script has loaded, so a reader can see
// at a glance that JavaScript files are served too.
document.addEventListener("DOMContentLoaded", () => {
  const lead = document.querySelector(".lead");
  if (lead) {
    lead.classList.add("is-ready");
  }
});
