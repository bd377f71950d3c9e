using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Charts;

/// <summary>A chart archive (<c>.tgz</c>) as bytes, with what its <c>Chart.yaml</c> says and the SHA-256 Helm indexes it by.</summary>
public sealed record ChartArchive(byte[] Bytes, string Name, string Version, string ApiVersion, string? AppVersion, string? Description)
{
    public string Digest => Sha256(Bytes);

    public string FileName => $"{Name}-{Version}.tgz";

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The index entry that lists this archive, next to the index, as <c>helm repo index</c> writes it.</summary>
    public ChartVersionEntry IndexEntry(DateTimeOffset created) => new(Name, Version, Digest, [FileName])
    {
        ApiVersion = ApiVersion,
        AppVersion = AppVersion,
        Description = Description,
        Created = created,
    };

    /// <summary>Reads <c>NAME/Chart.yaml</c> out of a gzipped tar; anything else is a <see cref="ChartException"/>.</summary>
    public static ChartArchive Read(byte[] bytes, string source)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is TarEntry entry)
            {
                string[] parts = entry.Name.Split('/', StringSplitOptions.RemoveEmptyEntries);
                if (parts is [_, "Chart.yaml"] && entry.DataStream is Stream data)
                {
                    using var reader = new StreamReader(data);
                    return FromChartYaml(bytes, reader.ReadToEnd(), $"{source}:{entry.Name}");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new ChartException($"{source} is not a chart archive (a gzipped tar): {e.Message}");
        }

        throw new ChartException($"{source} has no CHART/Chart.yaml, so it is not a chart archive");
    }

    static ChartArchive FromChartYaml(byte[] bytes, string text, string file)
    {
        var diagnostics = new List<Diagnostic>();
        IReadOnlyList<YNode> documents = YamlTreeReader.Read(file, text, LoadLimits.Default, diagnostics);
        if (diagnostics.Count > 0 || documents is not [YMapping chart])
        {
            throw new ChartException($"{file} is not a Chart.yaml mapping: {string.Join("; ", diagnostics)}");
        }

        string? Field(string key) => (chart[key] as YScalar)?.Value;
        return Field("name") is string name && Field("version") is string version
            ? new ChartArchive(bytes, name, version, Field("apiVersion") ?? "v2", Field("appVersion"), Field("description"))
            : throw new ChartException($"{file} lacks a name or a version");
    }
}

/// <summary>A chart, an index or a repository that a promotion cannot use; the message says which and why.</summary>
public sealed class ChartException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Trying again could help: the repository was unreachable, or another publish won a race.</summary>
    public bool Transient { get; init; }
}
