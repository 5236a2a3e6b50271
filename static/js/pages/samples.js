/* The samples page (admin): what people drew and labelled, newest first, filtered by the digit meant, the
   digit answered, or only the model's mistakes, with a delete button on each. The admin token is sent as a
   bearer token and kept in sessionStorage (this tab only). The list carries data-state as in the galleries. */

import { api } from "../core/api.js";
import { createPagedList, emptyItem, pagerElements, showingParts, span } from "../widgets/gallery.js";

const TOKEN_KEY = "rowscan.admin-token";
const app = document.getElementById("samples-app");
const form = app.querySelector("[data-testid=samples-form]");

if (form) {
  const list = app.querySelector("[data-testid=samples-list]");
  const summary = app.querySelector("[data-testid=samples-summary]");
  const state = { page: 1 };
  const token = () => form.elements.token.value.trim();
  const auth = () => ({ Authorization: `Bearer ${token()}` });

  function query() {
    const params = new URLSearchParams({ page: String(state.page) });
    for (const name of ["label", "predicted"]) if (form.elements[name].value) params.set(name, form.elements[name].value);
    if (form.elements.wrong.checked) params.set("wrong", "true");
    return params;
  }

  const gallery = createPagedList(
    { list, summary, ...pagerElements(app) },
    {
      noun: "samples",
      state,
      before: () => {},
      url: () => `/api/samples?${query()}`,
      key: () => query().toString(),
      headers: auth,
      render: (data) => {
        summary.textContent = "";
        if (!data.total) {
          list.appendChild(emptyItem("samples-empty", "No samples match."));
          summary.textContent = "No samples yet for this choice.";
          return;
        }
        summary.append(...showingParts(data), " samples.");
        data.items.forEach((item) => list.appendChild(card(item)));
      },
    }
  );

  function card(item) {
    const li = document.createElement("li");
    li.className = `sample${item.correct ? "" : " is-wrong"}`;
    li.dataset.testid = "sample-item";
    li.dataset.id = String(item.id);
    li.dataset.label = String(item.label);
    const img = document.createElement("img");
    img.src = item.image;
    img.alt = `A ${item.label} the model read as ${item.predicted}`;
    img.width = 28;
    img.height = 28;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn sample-delete";
    remove.dataset.testid = "sample-delete";
    remove.textContent = "Delete";
    remove.setAttribute("aria-label", `Delete sample ${item.id} (${item.title})`);
    remove.addEventListener("click", async () => {
      remove.disabled = true;
      try {
        await api(`/api/samples/${item.id}`, { method: "DELETE", headers: auth() });
        gallery.load();
      } catch (error) {
        summary.textContent = `Could not delete sample ${item.id}: ${error.message}`;
        remove.disabled = false;
      }
    });
    li.append(img, span("miss-title", item.title), span("muted sample-meta", `${item.model} v${item.version}`), remove);
    return li;
  }

  form.elements.token.value = window.sessionStorage.getItem(TOKEN_KEY) || "";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    window.sessionStorage.setItem(TOKEN_KEY, token());
    state.page = 1;
    gallery.load();
  });
  if (token()) gallery.load();
}
