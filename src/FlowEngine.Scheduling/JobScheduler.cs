using FlowEngine.Scheduling.QuartzBridge;
using FlowEngine.Scheduling.Schema;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quartz;

namespace FlowEngine.Scheduling;

/// <summary>
/// FlowEngine's scheduler: cron jobs kept in the database (Quartz 4's ADO job store), each fire handed to an
/// <see cref="IJobHandler"/>.
/// </summary>
/// <remarks>
/// <para>
/// Jobs are persistent: a job upserted before a restart is there after it, with the same next fire. A fire
/// missed while the scheduler was down runs once when it comes back (however many were missed), and the
/// schedule goes on from there. Two fires of the same job never overlap.
/// </para>
/// <para>
/// On SQLite the scheduler is single-node: one process owns the file's jobs. On PostgreSQL the nodes form a
/// Quartz cluster (<see cref="SchedulerOptions.Clustered"/>): each fire runs on exactly one of them, and the fires
/// of a node that dies are taken over by another.
/// </para>
/// </remarks>
public sealed class JobScheduler : IAsyncDisposable
{
    private readonly StandaloneSchedulerFactory _factory;
    private readonly IScheduler _scheduler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private int _disposed;

    private JobScheduler(StandaloneSchedulerFactory factory, IScheduler scheduler, TimeProvider time, ILogger logger)
    {
        _factory = factory;
        _scheduler = scheduler;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Creates Quartz's tables if they are missing, starts the scheduler, and runs any fire that was missed
    /// while it was down.
    /// </summary>
    /// <param name="options">Where the jobs are kept.</param>
    /// <param name="handler">What a fire does.</param>
    /// <param name="ct">Cancels the start.</param>
    /// <exception cref="ArgumentException">The options are not usable (a cluster on SQLite, an in-memory file, …).</exception>
    /// <exception cref="InvalidOperationException">PostgreSQL cannot be reached; the message says where it was looked for.</exception>
    public static async Task<JobScheduler> StartAsync(SchedulerOptions options, IJobHandler handler, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        options.Validate();

        var time = options.Time ?? TimeProvider.System;
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<JobScheduler>();
        if (options.IsSqlite)
        {
            var path = await SqliteSchema.EnsureCreatedAsync(options.ConnectionString, ct).ConfigureAwait(false);
            Log.SchemaEnsured(logger, path);
        }
        else
        {
            var where = await PostgreSqlSchema.EnsureCreatedAsync(options.ConnectionString, ct).ConfigureAwait(false);
            Log.SchemaEnsured(logger, where);
        }

        var factory = QuartzSchedulerBuilder.Create(q => Configure(q, options, handler, time, loggerFactory)).Build();
        try
        {
            var scheduler = await factory.GetScheduler(ct).ConfigureAwait(false);
            if (options.RunJobs)
            {
                await scheduler.Start(ct).ConfigureAwait(false);
            }

            var jobScheduler = new JobScheduler(factory, scheduler, time, logger);
            var jobs = await scheduler.QueryJobs(new JobQuery { Take = PagedQuery.All }, ct).ConfigureAwait(false);
            Log.Started(logger, options.InstanceName, options.Provider, jobs.Items.Count);
            return jobScheduler;
        }
        catch
        {
            await factory.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Creates the job with its cron trigger, or replaces it. Upserting a job exactly as it is stored changes
    /// nothing, so re-syncing every job at start-up keeps a fire that is still owed; a changed cron expression
    /// or time zone starts the schedule afresh from now.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The name or group is empty, the cron expression or time zone is not valid, or the data uses a key
    /// starting with <c>flowengine:</c>.
    /// </exception>
    public async Task UpsertAsync(JobSpec job, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        var (cron, timeZone) = ValidateSpec(job);
        var jobKey = new JobKey(job.Name, job.Group);
        var detail = JobBuilder.Create<HandlerJob>()
            .WithIdentity(jobKey)
            .WithDescription(job.Description)
            .UsingJobData(JobData.ToMap(job))
            .DisallowConcurrentExecution(true)
            .StoreDurably(true)
            .Build();

        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var stored = await _scheduler.GetJobDetail(jobKey, ct).ConfigureAwait(false);
            var storedSpec = stored is null ? null : TryReadSpec(stored);
            var hasTrigger = await _scheduler.Exists(TriggerKeyOf(job.Name, job.Group), ct).ConfigureAwait(false);
            if (storedSpec is not null && hasTrigger && JobData.SameSchedule(storedSpec, job))
            {
                if (JobData.SameJob(storedSpec, job))
                {
                    return;
                }

                // Only the data or description changed: keep the trigger, and with it any fire it still owes.
                await _scheduler.AddJob(detail, AddJobOptions.Replacing, ct).ConfigureAwait(false);
                Log.Upserted(_logger, job.Group, job.Name, "updated", job.Cron, job.TimeZone);
                return;
            }

            var trigger = TriggerBuilder.Create(_time)
                .WithIdentity(TriggerKeyOf(job.Name, job.Group))
                .ForJob(jobKey)
                .WithSchedule(CronScheduleBuilder.Create(cron)
                    .InTimeZone(timeZone)
                    .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
                .StartNow()
                .Build();
            await _scheduler.ScheduleJob(detail, [trigger], ScheduleJobOptions.Replacing, ct).ConfigureAwait(false);
            Log.Upserted(_logger, job.Group, job.Name, stored is null ? "created" : "rescheduled", job.Cron, job.TimeZone);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Deletes the job and its trigger; a fire already running finishes, none starts after.</summary>
    /// <returns><see langword="true"/> when the job existed.</returns>
    public async Task<bool> DeleteAsync(string name, string group, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var deleted = await _scheduler.DeleteJob(new JobKey(name, group), ct).ConfigureAwait(false);
            if (deleted)
            {
                Log.Deleted(_logger, group, name);
            }

            return deleted;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Every job, by group then name, with its next and previous fire.</summary>
    public async Task<IReadOnlyList<ScheduledJob>> ListAsync(CancellationToken ct)
    {
        var headers = await _scheduler.QueryJobs(new JobQuery { Take = PagedQuery.All }, ct).ConfigureAwait(false);
        if (headers.Items.Count == 0)
        {
            return [];
        }

        var keys = headers.Items.Select(h => h.Key).ToList();
        var details = await _scheduler.GetJobDetails(keys, ct).ConfigureAwait(false);
        var triggers = await _scheduler.GetTriggers(keys.Select(k => TriggerKeyOf(k.Name, k.Group)).ToList(), ct).ConfigureAwait(false);
        var triggerByJob = triggers.ToDictionary(t => t.JobKey);

        var jobs = new List<ScheduledJob>(details.Count);
        foreach (var detail in details)
        {
            if (TryReadSpec(detail) is not { } spec)
            {
                continue;
            }

            triggerByJob.TryGetValue(detail.Key, out var trigger);
            jobs.Add(new ScheduledJob(spec.Name, spec.Group, spec.Cron, trigger?.NextFireTimeUtc, trigger?.PreviousFireTimeUtc, spec.Data, spec.Description)
            {
                TimeZone = spec.TimeZone,
            });
        }

        return jobs
            .OrderBy(j => j.Group, StringComparer.Ordinal)
            .ThenBy(j => j.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Fires the job once, now, besides its schedule (publishing a profile runs its download at once). If the
    /// job is running, this fire waits for it to end.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such job.</exception>
    public async Task TriggerNowAsync(string name, string group, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        var jobKey = new JobKey(name, group);
        if (!await _scheduler.Exists(jobKey, ct).ConfigureAwait(false))
        {
            throw new KeyNotFoundException($"no scheduled job '{group}.{name}'");
        }

        await _scheduler.TriggerJob(jobKey, new JobDataMap(), ct).ConfigureAwait(false);
    }

    /// <summary>The job's next <paramref name="count"/> fire times, in UTC, from its stored trigger.</summary>
    /// <exception cref="KeyNotFoundException">No such job.</exception>
    public async Task<IReadOnlyList<DateTimeOffset>> UpcomingAsync(string name, string group, int count, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var trigger = await _scheduler.GetTrigger(TriggerKeyOf(name, group), ct).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"no scheduled job '{group}.{name}'");

        var fires = new List<DateTimeOffset>(count);
        var next = trigger.NextFireTimeUtc;
        while (next is { } fire && fires.Count < count)
        {
            fires.Add(fire.ToUniversalTime());
            next = trigger.GetFireTimeAfter(fire);
        }

        return fires;
    }

    /// <summary>
    /// Stops the scheduler: cancels the token of every handler still running and waits for them to return.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _scheduler.Shutdown(waitForJobsToComplete: true, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _factory.DisposeAsync().ConfigureAwait(false);
            _writeGate.Dispose();
        }
    }

    /// <summary>
    /// Stops the scheduler at once, without waiting for running handlers (their token is cancelled): what a node
    /// that goes away abruptly looks like to the rest of a cluster. Tests use it; <see cref="DisposeAsync"/> is the
    /// orderly stop.
    /// </summary>
    internal async Task AbandonAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _scheduler.Shutdown(waitForJobsToComplete: false, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _factory.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void Configure(IQuartzBuilder q, SchedulerOptions options, IJobHandler handler, TimeProvider time, ILoggerFactory loggerFactory)
    {
        q.Services.AddSingleton(loggerFactory);
        q.Services.AddSingleton<ILoggerProvider>(new ForwardingLoggerProvider(loggerFactory));
        q.ConfigureScheduler(s =>
        {
            s.InstanceName = options.InstanceName;
            if (options.IsPostgreSql && options.Clustered && !options.InstanceId.Equals("AUTO", StringComparison.OrdinalIgnoreCase))
            {
                s.InstanceId = options.InstanceId;
            }

            // Dispose waits for running handlers; their token is cancelled so they return promptly.
            s.ShutdownJobInterruption = ShutdownJobInterruption.Always;
        });
        q.UseTimeProvider(time);
        q.UseDefaultThreadPool(options.MaxConcurrency);
        q.UseJobFactory(new HandlerJobFactory(handler, loggerFactory.CreateLogger<JobScheduler>()));
        q.UsePersistentStore(store =>
        {
            store.ConfigureStore(s =>
            {
                s.TablePrefix = options.IsPostgreSql ? PostgreSqlSchema.TablePrefix : SqliteSchema.TablePrefix;
                s.MisfireThreshold = options.MisfireThreshold;
                s.StoreJobDataAsStrings = true;

                // The tables are FlowEngine's to create (at start, from Quartz's own script for the provider, embedded);
                // Quartz checks they are all there and fails the start, naming what is missing, if not.
                s.SchemaProvisioning = SchemaProvisioning.Validate;
            });

            if (options.IsPostgreSql)
            {
                // Quartz's PostgreSQL delegate over Npgsql; with clustering, row locks in qrtz_locks decide which node
                // takes each fire, and a node that stops checking in has its fires recovered by another.
                store.UsePostgres(options.ConnectionString);
                if (options.Clustered)
                {
                    store.UseClustering(c => c.CheckinInterval = options.ClusterCheckinInterval);
                }
            }
            else
            {
                // Quartz's "SQLite-Microsoft" provider: Microsoft.Data.Sqlite, as FlowEngine's EF store uses.
                store.UseSqlite(options.ConnectionString);
            }
        });
    }

    private static (string Cron, TimeZoneInfo TimeZone) ValidateSpec(JobSpec job)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(job.Name, nameof(job));
        ArgumentException.ThrowIfNullOrWhiteSpace(job.Group, nameof(job));
        ArgumentException.ThrowIfNullOrWhiteSpace(job.Cron, nameof(job));
        ArgumentNullException.ThrowIfNull(job.Data, nameof(job));
        if (job.Data.Keys.FirstOrDefault(k => k.StartsWith(JobData.ReservedPrefix, StringComparison.Ordinal)) is { } reserved)
        {
            throw new ArgumentException($"job '{job.Group}.{job.Name}': data key '{reserved}' is reserved ('{JobData.ReservedPrefix}…' keys are FlowEngine's)", nameof(job));
        }

        try
        {
            _ = CronExpression.Parse(job.Cron);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"job '{job.Group}.{job.Name}': '{job.Cron}' is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year], e.g. '0 0 2 * * ?'): {ex.Message}", nameof(job), ex);
        }

        TimeZoneInfo timeZone;
        try
        {
            timeZone = TimeZoneInfo.FindSystemTimeZoneById(job.TimeZone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            throw new ArgumentException($"job '{job.Group}.{job.Name}': unknown time zone '{job.TimeZone}'; use an IANA id such as 'Europe/Paris', or 'UTC'", nameof(job), ex);
        }

        return (job.Cron, timeZone);
    }

    private JobSpec? TryReadSpec(IJobDetail detail)
    {
        try
        {
            return JobData.ToSpec(detail);
        }
        catch (InvalidOperationException ex)
        {
            Log.UnreadableJob(_logger, detail.Key.Group, detail.Key.Name, ex);
            return null;
        }
    }

    // One cron trigger per job, under the job's own name and group.
    private static TriggerKey TriggerKeyOf(string name, string group) => new(name, group);
}
