import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";

/** build/electron-builder.json checked with electron-builder's own validator, plus what this app needs of it. */

const root = resolve(import.meta.dirname, "..");
const config: unknown = JSON.parse(readFileSync(join(root, "build/electron-builder.json"), "utf8"));
const require = createRequire(join(root, "package.json"));

const NeededSchema = z.object({
  appId: z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/),
  electronDist: z.literal("node_modules/electron/dist"),
  files: z.array(z.string()),
  asarUnpack: z.array(z.string()),
  extraMetadata: z.object({ main: z.literal("dist/electron/main.js") }),
  linux: z.object({ target: z.array(z.string()), icon: z.string() }),
  deb: z.object({ depends: z.array(z.string()) }),
  win: z.object({ target: z.array(z.object({ target: z.string() })), icon: z.string() }),
  publish: z.array(z.object({ provider: z.string(), channel: z.string() })),
});

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  anyOf?: SchemaNode[];
  $ref?: string;
}

/** Keys of `value` that no object alternative of `node` declares, recursing into declared objects. */
function unknownKeys(
  value: unknown,
  node: SchemaNode,
  definitions: Record<string, SchemaNode>,
  path: string,
): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
  const alternatives: SchemaNode[] = [];
  const collect = (n: SchemaNode) => {
    if (n.$ref !== undefined) {
      const target = definitions[n.$ref.replace("#/definitions/", "")];
      if (target !== undefined) collect(target);
    }
    n.anyOf?.forEach(collect);
    if (n.properties !== undefined) alternatives.push(n);
  };
  collect(node);
  if (alternatives.length === 0) return [];
  const found: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key === "$schema") continue;
    const declared = alternatives.map((a) => a.properties?.[key]).find((p) => p !== undefined);
    if (declared === undefined) found.push(`${path}${key}`);
    else found.push(...unknownKeys(child, declared, definitions, `${path}${key}.`));
  }
  return found;
}

function pngSize(path: string): { width: number; height: number } {
  const png = readFileSync(path);
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("installer configuration (build/electron-builder.json)", () => {
  it("names only options electron-builder's schema knows, in every section (a typo is silently ignored otherwise)", () => {
    // A key-by-key walk of app-builder-lib/scheme.json: full ajv validation of that schema takes
    // seconds to compile, and electron-builder runs it itself on every `npm run dist`.
    const scheme = require("app-builder-lib/scheme.json") as SchemaNode & { definitions: Record<string, SchemaNode> };
    expect(unknownKeys(config, scheme, scheme.definitions, "")).toEqual([]);
    expect(
      unknownKeys({ linux: { targett: "AppImage" }, nsis: { oneclick: false } }, scheme, scheme.definitions, ""),
    ).toEqual(["linux.targett", "nsis.oneclick"]);
  });

  it("builds AppImage + deb and NSIS, from the bundles and the built renderer, with a local Electron", () => {
    const c = NeededSchema.parse(config);
    expect(c.linux.target).toEqual(["AppImage", "deb"]);
    expect(c.win.target.map((t) => t.target)).toEqual(["nsis"]);
    expect(c.files).toEqual(expect.arrayContaining(["package.json", "dist/electron/**", "renderer/dist/**"]));
    expect(c.publish[0]?.channel).toBe("latest");
  });

  it("keeps node-hid's native addon outside the asar and its libraries in the deb's depends", () => {
    const c = NeededSchema.parse(config);
    expect(c.asarUnpack).toContain("node_modules/node-hid/**");
    expect(c.deb.depends).toEqual(expect.arrayContaining(["libusb-1.0-0", "libudev1", "libgtk-3-0", "libnss3"]));
  });

  it("has the icons it names, as real PNGs of the sizes they claim", () => {
    const c = NeededSchema.parse(config);
    expect(pngSize(join(root, c.win.icon))).toEqual({ width: 512, height: 512 });
    for (const size of [16, 32, 48, 64, 128, 256, 512])
      expect(pngSize(join(root, c.linux.icon, `${size}x${size}.png`))).toEqual({ width: size, height: size });
  });

  it("installs a udev rule with the deb so the signed-in user can open HID-POS scanners and jigs, and removes it with the deb", () => {
    const c = z
      .object({
        linux: z.object({ extraResources: z.array(z.object({ from: z.string(), to: z.string() })) }),
        deb: z.object({ afterInstall: z.string(), afterRemove: z.string() }),
      })
      .parse(config);
    const shipped = c.linux.extraResources.find((r) => r.to === "udev/70-reflash-dock.rules");
    expect(shipped?.from).toBe("build/linux/70-reflash-dock.rules");
    const rules = readFileSync(join(root, shipped?.from ?? ""), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#"));
    for (const rule of rules)
      expect(rule).toMatch(
        /^KERNEL=="hidraw\*", SUBSYSTEM=="hidraw", ATTRS\{idVendor\}=="[0-9a-f]{4}".* TAG\+="uaccess"$/,
      );
    const vendors = rules.map((r) => /idVendor\}=="([0-9a-f]{4})"/.exec(r)?.[1]);
    // Honeywell and Zebra scanners, and the reference jig (hardware/jig/simulated-jig.ts enumerates as 1209:4A16).
    expect(vendors).toEqual(expect.arrayContaining(["0c2e", "05e0", "1209"]));
    expect(rules.some((r) => r.includes('ATTRS{idProduct}=="4a16"'))).toBe(true);
    const install = readFileSync(join(root, c.deb.afterInstall), "utf8");
    expect(install).toContain("/opt/${sanitizedProductName}/resources/udev/70-reflash-dock.rules");
    expect(install).toContain("udevadm control --reload-rules");
    // Replacing electron-builder's script must keep what it did (the /usr/bin link, chrome-sandbox).
    expect(install).toContain("update-alternatives --install '/usr/bin/${executable}'");
    expect(install).toContain("chrome-sandbox");
    expect(readFileSync(join(root, c.deb.afterRemove), "utf8")).toContain(
      "rm -f /etc/udev/rules.d/70-reflash-dock.rules",
    );
  });
});
