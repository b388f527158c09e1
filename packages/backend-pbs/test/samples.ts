/** Output samples from the PBS Pro and Torque documentation, for the parsers' and the emulator's golden tests. */

/**
 * The `qstat -f -F json` example of the PBS Pro qstat(1B) man page and of the OpenPBS design page
 * "PP-483: Enhance output of qstat to make it more admin and script friendly" (job 1.vbox, queued).
 * The documented sample stops after Keep_Files ("..."); it is closed here.
 */
export const PRO_DOC_SAMPLE = `{
     "timestamp":1479277336,
     "pbs_version":"14.1",
     "pbs_server":"vbox",
     "Jobs":{
                 "1.vbox":{
                         "Job_Name":"STDIN",
                         "Job_Owner":"root@vbox",
                         "job_state":"Q",
                         "queue":"workq",
                         "server":"vbox",
                         "Checkpoint":"u",
                         "ctime":"Fri Nov 11 17:57:05 2016",
                         "Error_Path":"vbox:/home/nithinj/Tasks/overlay/STDIN.e1",
                         "Hold_Types":"n",
                         "Join_Path":"n",
                         "Keep_Files":"n"
                 }
     }
}`;

/**
 * The `qstat -f` example of the Torque documentation, section "2.7 Job Exit Status" (job 179.host,
 * completed with exit_status -1, JOB_EXEC_FAIL1). Its Variable_List and sched_hint wrap onto
 * continuation lines.
 */
export const TORQUE_DOC_SAMPLE = `Job Id: 179.host
    Job_Name = STDIN
    Job_Owner = user@host
    job_state = C
    queue = batchq
    server = host
    Checkpoint = u
    ctime = Fri Aug 29 14:55:55 2008
    Error_Path = host:/opt/moab/STDIN.e179
    exec_host = node1/0
    Hold_Types = n
    Join_Path = n
    Keep_Files = n
    Mail_Points = a
    mtime = Fri Aug 29 14:55:55 2008
    Output_Path = host:/opt/moab/STDIN.o179
    Priority = 0
    qtime = Fri Aug 29 14:55:55 2008
    Rerunable = True
    Resource_List.ncpus = 2
    Resource_List.nodect = 1
    Resource_List.nodes = node1
    Variable_List = PBS_O_HOME=/home/user,PBS_O_LOGNAME=user,
\tPBS_O_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:,PBS_O_SHELL=/bin/bash,PBS_O_HOST=host,
\tPBS_O_WORKDIR=/opt/moab,PBS_O_QUEUE=batchq
    sched_hint = Post job file processing error; job 179.host on host node1/0Ba
\td UID for job execution REJHOST=pala.cridomain MSG=cannot find user 'user' in password file
    etime = Fri Aug 29 14:55:55 2008
    exit_status = -1

`;
