using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Server.Background;

/// <summary>Runs one trigger on a fixed period until the server stops; a failed tick is logged and the next one tries again.</summary>
internal sealed class TriggerService(string name, TimeSpan period, Func<CancellationToken, Task> tick, ILogger<TriggerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (period <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(period);
        do
        {
            try
            {
                await tick(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.TickFailed(e, name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

static partial class ServerLogs
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Trigger {Trigger} failed; it runs again next period")]
    public static partial void TickFailed(this ILogger logger, Exception exception, string trigger);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "gitops serve listening on {Urls} ({Store}, task hub {TaskHub}), workflows from {Repository}")]
    public static partial void Listening(this ILogger logger, string urls, string store, string taskHub, string repository);
}
