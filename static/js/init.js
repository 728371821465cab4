// Progressive enhancement only: every page works without JavaScript.
import { initAll } from "../dist/govuk/govuk-frontend.min.js";

initAll();
