import { shellQuote } from "../shell-quote.js";

/**
 * Python run by a job before it starts its worker: can it open a TCP connection to the scheduler?
 * Three tries over about two seconds; when none succeeds it prints why on stderr and exits 3.
 * Python (which the job needs anyway) instead of the shell, so it works whatever the job's shell.
 */
const CHECK = `import socket, sys, time
address = sys.argv[1]
host, _, port = address.split("://")[-1].rpartition(":")
host = host.strip("[]")
for attempt in range(3):
    try:
        socket.create_connection((host, int(port)), 5).close()
        sys.exit(0)
    except (OSError, ValueError) as error:
        reason = error
        time.sleep(1 if attempt < 2 else 0)
sys.stderr.write("daskq: the scheduler %s is not reachable from %s (%s): its cluster has ended or the network blocks it; not starting a worker\\n" % (address, socket.gethostname(), reason))
sys.exit(3)`;

/**
 * The job-script line that checks that the scheduler is reachable and ends the job at once (exit
 * 3, with a clear line in its output) when it is not, so that a job that starts after its
 * cluster died costs seconds instead of the worker's death timeout.
 */
export function renderSchedulerCheck(python: string, schedulerAddress: string): string {
  return `${shellQuote(python)} -c ${shellQuote(CHECK)} ${shellQuote(schedulerAddress)} || exit $?`;
}
