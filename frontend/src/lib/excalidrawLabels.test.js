import { describe, expect, it } from "vitest";

import { labelControls } from "./excalidrawLabels.js";

/** Just enough of a DOM button for labelControls. */
function button(text = "") {
  const attrs = new Map();
  return {
    textContent: text,
    getAttribute: (name) => attrs.get(name) ?? null,
    setAttribute: (name, value) => attrs.set(name, value),
  };
}

function root(menu, zoom) {
  return {
    querySelectorAll: (selector) => ({ ".main-menu-trigger": menu, ".reset-zoom-button": zoom })[selector] ?? [],
  };
}

describe("labelControls", () => {
  it("names the icon-only menu button", () => {
    const menu = button();
    labelControls(root([menu], []));
    expect(menu.getAttribute("aria-label")).toBe("Board menu");
  });

  it("puts the zoom the button shows at the start of its name, and follows it", () => {
    const zoom = button(" 39% ");
    labelControls(root([], [zoom]));
    expect(zoom.getAttribute("aria-label")).toBe("39%, reset zoom");
    zoom.textContent = "120%";
    labelControls(root([], [zoom]));
    expect(zoom.getAttribute("aria-label")).toBe("120%, reset zoom");
  });
});
