using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary>POST /1.0/instances/{name}/console: attach to the console ("console"; "vga" is for VMs).</summary>
public sealed record InstanceConsolePost
{
    [JsonPropertyName("type")] public string Type { get; set; } = "console";
    [JsonPropertyName("width")] public int Width { get; set; }
    [JsonPropertyName("height")] public int Height { get; set; }
}
