import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

// The Go, Python and Java clients' demo programs, for the cross-language tests. Run by
// scripts/test-clients.sh after each client's own suite has built its toolchain (clients/python/.venv,
// Go modules, Maven's repository).
const root = resolve(import.meta.dirname, "../..");
export type Language = "go" | "py" | "java";
export type Demo = "lock" | "discovery" | "barrier";
const javaMains: Record<Demo, string> = {
  lock: "dev.paddock.demo.LockDemo",
  discovery: "dev.paddock.demo.DiscoveryDemo",
  barrier: "dev.paddock.demo.BarrierDemo",
};

export interface Programs {
  /** The argv that runs `<language>`'s demo `name` with the given options. */
  command(language: Language, demo: Demo, args: Record<string, string>): string[];
}

/** Builds the Go demos into `dir` and finds the Java client's classpath (compiling it if stale). */
export function buildPrograms(dir: string): Programs {
  const go = join(root, "clients/go");
  const goDemos = ["./cmd/paddock-lock-demo", "./cmd/paddock-discovery-demo", "./cmd/paddock-barrier-demo"];
  execFileSync("go", ["build", "-o", dir, ...goDemos], { cwd: go });
  const cpFile = javaClasspathFile();
  const classpath = `${join(root, "clients/java/target/classes")}:${readFileSync(cpFile, "utf8").trim()}`;
  const python = join(root, "clients/python/.venv/bin/python");
  return {
    command(language, demo, args) {
      const dashed = Object.entries(args).flatMap(([k, v]) => [`--${k}`, v]);
      switch (language) {
        case "go": {
          // The Go lock demo predates the others' flags: -servers and a -hold duration.
          const goArgs =
            demo === "lock"
              ? Object.entries(args).flatMap(([k, v]) =>
                  k === "server" ? ["-servers", v] : k === "hold-ms" ? ["-hold", `${v}ms`] : [`-${k}`, v],
                )
              : dashed;
          return [join(dir, `paddock-${demo}-demo`), ...goArgs];
        }
        case "py":
          return [python, "-m", `paddock.${demo}_demo`, ...dashed];
        case "java":
          return ["java", "-cp", classpath, javaMains[demo], ...dashed];
      }
    },
  };
}

/**
 * clients/java/ci.sh leaves the runtime classpath in target/runtime-classpath.txt after compiling;
 * when a source or the pom is newer (or the file is missing), compile and write it here.
 */
function javaClasspathFile(): string {
  const java = join(root, "clients/java");
  const cpFile = join(java, "target/runtime-classpath.txt");
  const written = statOrZero(cpFile);
  const sources = [join(java, "pom.xml"), ...filesUnder(join(java, "src/main"))];
  if (written === 0 || sources.some((f) => statOrZero(f) > written)) {
    execFileSync("mvn", ["-B", "-q", "compile", ...classpathGoal(cpFile)], {
      cwd: java,
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  return cpFile;
}

function classpathGoal(outputFile: string): string[] {
  return ["dependency:build-classpath", `-Dmdep.outputFile=${outputFile}`, "-Dmdep.includeScope=runtime"];
}

function statOrZero(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Runs argv with stdout to the file descriptor `out` (or piped and returned); rejects on a non-zero exit. */
export function run(argv: string[], out?: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", out ?? "pipe", "inherit"] });
    let stdout = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolvePromise(stdout);
      else reject(new Error(`${argv.slice(0, 4).join(" ")} … exited with ${code}`));
    });
  });
}
