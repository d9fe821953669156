// Whether this machine has a hardware Vulkan driver, decided without touching Vulkan itself.
//
// Why: asking Dawn for a Vulkan adapter on a machine without one makes it print "Warning: Couldn't
// load Vulkan ..." lines to stderr, and Debian's software Vulkan (lavapipe) is rejected by Dawn
// anyway. So `--backend auto` tries Vulkan only when the Vulkan loader would find a driver manifest
// (ICD json) that is not a software rasterizer; `--backend vulkan` always tries. The same rule is in
// scripts/setup-system.sh.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Where the Vulkan loader looks for driver manifests on Linux (system-wide). */
export const VULKAN_ICD_DIRS: readonly string[] = [
  "/usr/share/vulkan/icd.d",
  "/etc/vulkan/icd.d",
  "/usr/local/share/vulkan/icd.d",
];

/** Software Vulkan drivers: Mesa's lavapipe (Dawn rejects it) and SwiftShader (a CPU fallback). */
const SOFTWARE_DRIVER = /lvp|lavapipe|swiftshader/i;

function manifestLibrary(file: string): string {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (typeof parsed === "object" && parsed !== null && "ICD" in parsed) {
      const icd: unknown = parsed.ICD;
      if (typeof icd === "object" && icd !== null && "library_path" in icd && typeof icd.library_path === "string") {
        return icd.library_path;
      }
    }
  } catch {
    // An unreadable manifest is judged by its file name alone.
  }
  return "";
}

function isHardwareManifest(file: string): boolean {
  return !SOFTWARE_DRIVER.test(file) && !SOFTWARE_DRIVER.test(manifestLibrary(file));
}

/**
 * Paths of hardware Vulkan driver manifests. `VK_DRIVER_FILES` / `VK_ICD_FILENAMES` (colon-separated
 * manifest paths) replace the search directories, as they do for the Vulkan loader.
 */
export function findHardwareVulkanIcds(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const override = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES;
  const manifests =
    override !== undefined && override !== ""
      ? override.split(":").filter((file) => file !== "" && existsSync(file))
      : VULKAN_ICD_DIRS.flatMap((dir) => {
          try {
            return readdirSync(dir)
              .filter((name) => name.endsWith(".json"))
              .map((name) => join(dir, name));
          } catch {
            return [];
          }
        });
  return manifests.filter(isHardwareManifest);
}
