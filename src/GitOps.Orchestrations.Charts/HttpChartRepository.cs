using System.Net;
using System.Net.Http.Headers;
using GitOps.Orchestrations.Core.Promotion;

namespace GitOps.Orchestrations.Charts;

/// <summary>
/// A chart repository served over HTTP: <c>GET index.yaml</c> and the archives it lists; publishing
/// is <c>PUT</c> of the archive, then <c>PUT</c> of the regenerated index with <c>If-Match</c> on the
/// index read, so a concurrent publish is a 412 instead of a lost entry. When the index cannot be
/// written, the archive just uploaded is deleted again, leaving the repository as it was.
/// </summary>
public sealed class HttpChartRepository(Uri url, HttpClient http) : IChartRepository
{
    readonly Uri root = new(url.AbsoluteUri.EndsWith('/') ? url.AbsoluteUri : url.AbsoluteUri + "/");

    public string Location => root.GetLeftPart(UriPartial.Path);

    public async Task<HelmIndex> ReadIndexAsync(CancellationToken cancellationToken) => (await ReadIndexWithTagAsync(cancellationToken)).Index;

    async Task<(HelmIndex Index, EntityTagHeaderValue? Tag, bool Exists)> ReadIndexWithTagAsync(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(root, "index.yaml")), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return (HelmIndex.Empty(), null, false);
        }

        Ensure(response, "read index.yaml");
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return (HelmIndex.Parse($"{Location}index.yaml", text), response.Headers.ETag, true);
        }
        catch (FormatException e)
        {
            throw new ChartException(e.Message, e);
        }
    }

    public async Task<byte[]> ReadArchiveAsync(ChartVersionEntry entry, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(root, entry.Urls[0])), cancellationToken);
        Ensure(response, $"download {entry.Urls[0]}");
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    public async Task PublishAsync(ChartArchive archive, CancellationToken cancellationToken)
    {
        (HelmIndex index, EntityTagHeaderValue? tag, bool exists) = await ReadIndexWithTagAsync(cancellationToken);
        bool archiveExisted = index.Find(archive.Name, archive.Version) is not null;
        using (var put = new HttpRequestMessage(HttpMethod.Put, new Uri(root, archive.FileName)) { Content = new ByteArrayContent(archive.Bytes) })
        {
            put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
            using HttpResponseMessage uploaded = await SendAsync(put, cancellationToken);
            Ensure(uploaded, $"upload {archive.FileName}");
        }

        HelmIndex updated = index.With(archive.IndexEntry(DateTimeOffset.UtcNow));
        using var write = new HttpRequestMessage(HttpMethod.Put, new Uri(root, "index.yaml")) { Content = new StringContent(updated.Render(DateTimeOffset.UtcNow)) };
        if (tag is not null)
        {
            write.Headers.IfMatch.Add(tag);
        }
        else if (!exists)
        {
            write.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
        }

        using HttpResponseMessage written = await SendAsync(write, cancellationToken);
        if (!written.IsSuccessStatusCode)
        {
            if (!archiveExisted)
            {
                using HttpResponseMessage _ = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, new Uri(root, archive.FileName)), CancellationToken.None);
            }

            bool race = written.StatusCode == HttpStatusCode.PreconditionFailed;
            throw new ChartException(race
                ? $"{Location}index.yaml changed while {archive.FileName} was being published (412): another publish won the race; nothing was changed, try again"
                : $"write {Location}index.yaml: HTTP {(int)written.StatusCode}; the archive upload was undone") { Transient = race };
        }
    }

    async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            try
            {
                return await http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new ChartException($"cannot reach the chart repository {Location}: {e.Message}", e) { Transient = true };
            }
        }
    }

    void Ensure(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new ChartException($"{what} at {Location}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }
}
