using System.Formats.Tar;
using System.IO.Compression;

namespace GitOps.Orchestrations.Charts;

/// <summary>
/// Packages a chart folder as <c>helm package</c> lays it out: a gzipped tar whose entries sit under
/// <c>NAME/</c>. The same files always give the same bytes (sorted entries, fixed times), so the same
/// chart keeps the same digest however often it is packaged.
/// </summary>
public static class ChartPackager
{
    public const int MaxFiles = 1000;

    public const long MaxBytes = 32L * 1024 * 1024;

    const int MaxDepth = 16;

    public static ChartArchive Package(string folder)
    {
        string root = Path.GetFullPath(folder);
        if (!File.Exists(Path.Combine(root, "Chart.yaml")))
        {
            throw new ChartException($"{folder} has no Chart.yaml, so it is not a chart folder");
        }

        var files = new List<(string Relative, string Full)>();
        long total = 0;
        Collect(root, root, 0, files, ref total);
        files.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));

        // The archive's folder is the chart's name, read from the Chart.yaml it will carry.
        ChartArchive described = ChartArchive.Read(Pack("chart", files.Where(f => f.Relative == "Chart.yaml").ToList()), folder);
        ChartArchive archive = ChartArchive.Read(Pack(described.Name, files), folder);
        return archive;
    }

    static void Collect(string root, string folder, int depth, List<(string, string)> files, ref long total)
    {
        if (depth > MaxDepth)
        {
            throw new ChartException($"{folder} is nested deeper than {MaxDepth} folders");
        }

        foreach (FileSystemInfo entry in new DirectoryInfo(folder).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            // Links could reach outside the chart; .helmignore-like hidden files and folders are not part of it.
            if (entry.LinkTarget is not null || entry.Name.StartsWith('.'))
            {
                continue;
            }

            if (entry is DirectoryInfo directory)
            {
                Collect(root, directory.FullName, depth + 1, files, ref total);
            }
            else if (entry is FileInfo file)
            {
                files.Add((Path.GetRelativePath(root, file.FullName).Replace('\\', '/'), file.FullName));
                total += file.Length;
                if (files.Count > MaxFiles || total > MaxBytes)
                {
                    throw new ChartException($"{root} holds more than {MaxFiles} files or {MaxBytes / (1024 * 1024)} MiB; not a chart");
                }
            }
        }
    }

    static byte[] Pack(string name, IReadOnlyList<(string Relative, string Full)> files)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach ((string relative, string full) in files)
            {
                using FileStream content = File.OpenRead(full);
                // Ustar rather than PAX: PAX entries carry the access and change times of the moment they are written.
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{name}/{relative}")
                {
                    DataStream = content,
                    ModificationTime = DateTimeOffset.UnixEpoch,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                });
            }
        }

        return output.ToArray();
    }
}
