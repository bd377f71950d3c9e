using k8s.Autorest;

namespace GitOps.Orchestrations.Kubernetes;

/// <summary>
/// One API call, retried with exponential backoff on a resourceVersion race (409), throttling (429),
/// a server fault (5xx) or a dropped connection; every other refusal fails at once with the server's message.
/// </summary>
public static class ApiCalls
{
    public const int MaxAttempts = 5;

    public static async Task<T> CallAsync<T>(string host, string action, Func<Task<T>> call)
    {
        for (int attempt = 1; ; attempt++)
        {
            KubernetesApiException failure;
            try
            {
                return await call();
            }
            catch (HttpOperationException e)
            {
                failure = KubernetesApiException.From(e, action);
            }
            catch (HttpRequestException e)
            {
                failure = new KubernetesApiException(503, $"{action}: cannot reach the API server at {host}: {e.Message}", e);
            }

            if (!failure.Transient || attempt >= MaxAttempts)
            {
                throw failure;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt - 1)));
        }
    }
}
